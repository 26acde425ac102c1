// The refiner's pipeline in pure JavaScript, written for speed: the same packer (lib/pack.js),
// the same features from the same tables and lists (exported by the addon, read from
// crates/refiner-core/data), the same weights (the embedded default model), the same policy.
// It exists to answer "why native?" in benches/bench.mjs, which checks it against the addon.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isIP } from 'node:net'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const { native, schema } = require('../lib/schema.js')
const { pack, WIDTH } = require('../lib/pack.js')

const L = schema.input
const S = L.slots
const T = JSON.parse(native.analyzerTablesJson())
const FEATURES = schema.features
const M = JSON.parse(native.defaultModelJson())
const list = (f) => readFileSync(join(root, 'crates/refiner-core/data', f), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))

// Word lists as one case-insensitive alternation each, longest first (leftmost-longest, as Aho-Corasick is built).
const escape = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const anyOf = (words) => new RegExp([...words].sort((a, b) => b.length - a.length).map(escape).join('|'), 'i')
const HTTP = anyOf(T.httpLibraries)
const AUTOMATION = anyOf(T.automation)
const BOT = anyOf(T.botWords)
const BROWSERS = anyOf(T.browsers)
const ENGINES = anyOf(T.engines)
const CHROMIUM = anyOf(T.chromium)
const CRAWLERS = new RegExp(list('crawler-patterns.txt').join('|'))
const TOKENS = new RegExp(T.injectionTokens.map(([t]) => t).sort((a, b) => b.length - a.length).map(escape).join('|'), 'gi')
const TOKEN_CLASS = new Map(T.injectionTokens.map(([t, c]) => [t.toLowerCase(), c]))
const SYMBOLS = new Set(T.bodySymbols)
const DISPOSABLE = new Set(list('disposable-domains.txt'))
const WILDCARDS = new Set(list('disposable-wildcards.txt'))
const FREE = new Set(list('free-providers.txt'))

const code = (table, name) => table.indexOf(name) + 1
const C = { DENY: code(L.conclusions, 'DENY'), CHALLENGE: code(L.conclusions, 'CHALLENGE'), ERROR: code(L.conclusions, 'ERROR') }
const K = Object.fromEntries(L.ruleKinds.map((k, i) => [k, i + 1]))
const ST = { DRY_RUN: code(L.states, 'DRY_RUN'), NOT_RUN: code(L.states, 'NOT_RUN') }

function rules(nums) {
  const s = { botDenied: 0, botDeniedEntities: 0, botVerified: 0, botSpoofed: 0, shield: 0, rateLimited: 0, rateFrac: NaN, emailMask: 0, emailDenied: 0, sensitive: 0, unknown: 0, errors: 0, dryRun: 0 }
  const kept = Math.min(nums[S.ResultCount], L.maxResults)
  for (let i = 0; i < kept; i++) {
    const r = L.resultsBase + i * L.resultStride
    const kind = nums[r]
    const denied = nums[r + 2] === C.DENY
    if (nums[r + 1] === ST.DRY_RUN) s.dryRun++
    if (nums[r + 2] === C.ERROR || kind === K.ERROR) s.errors++
    const [a, b, c, d] = [nums[r + 3], nums[r + 4], nums[r + 5], nums[r + 6]]
    if (kind === K.BOT) {
      s.botDenied ||= denied
      s.botDeniedEntities = Math.max(s.botDeniedEntities, a)
      s.botVerified ||= c > 0
      s.botSpoofed ||= d > 0
    } else if (kind === K.SHIELD) s.shield ||= denied || a > 0
    else if (kind === K.RATE_LIMIT) {
      s.rateLimited ||= denied
      if (a > 0) {
        const f = Math.min(1, Math.max(0, b / a))
        s.rateFrac = Number.isNaN(s.rateFrac) ? f : Math.min(s.rateFrac, f)
      }
    } else if (kind === K.EMAIL) {
      s.emailMask |= a
      s.emailDenied ||= denied
    } else if (kind === K.SENSITIVE_INFO) s.sensitive += a
    else if (kind === K.UNKNOWN) s.unknown++
  }
  return s
}

// Analyses of recent user agents, as the addon keeps per workspace (same bound and length cap).
const UA_CACHE = new Map()
const UA_CACHE_SLOTS = 256
const UA_CACHE_MAX_LEN = 256

function analyzeUa(u) {
  const browser = u.startsWith('Mozilla/5.0 (') && ENGINES.test(u) && BROWSERS.test(u)
  return { missing: 0, length: Buffer.byteLength(u), crawler: +CRAWLERS.test(u), http: +HTTP.test(u), automation: +AUTOMATION.test(u), bot: +BOT.test(u), browser: +browser, chromium: +(browser && CHROMIUM.test(u)) }
}

function ua(text, hints) {
  const u = text.trim()
  if (!u) return { missing: 1, length: 0, crawler: 0, http: 0, automation: 0, bot: 0, browser: 0, chromium: 0, hints: hints ? 1 : 0 }
  let info = UA_CACHE.get(u)
  if (!info) {
    info = analyzeUa(u)
    if (u.length <= UA_CACHE_MAX_LEN) {
      if (UA_CACHE.size >= UA_CACHE_SLOTS) UA_CACHE.delete(UA_CACHE.keys().next().value)
      UA_CACHE.set(u, info)
    }
  }
  return { ...info, hints: hints ? 1 : 0 }
}

function decodePath(p) {
  if (!/[%+]/.test(p)) return p
  return p.replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))).replaceAll('+', ' ')
}

function injection(path, body) {
  const n = [0, 0, 0, 0]
  for (const text of [decodePath(path), body]) for (const m of text.matchAll(TOKENS)) n[TOKEN_CLASS.get(m[0].toLowerCase())]++
  let symbols = 0
  for (let i = 0; i < body.length; i++) if (SYMBOLS.has(body[i])) symbols++
  return { sqli: n[0], xss: n[1], traversal: n[2], command: n[3], bodySymbols: body.length ? symbols / Buffer.byteLength(body) : 0 }
}

const parentsIn = (set, d) => {
  for (;;) {
    if (set.has(d)) return true
    const i = d.indexOf('.')
    if (i < 0 || !d.slice(i + 1).includes('.')) return false
    d = d.slice(i + 1)
  }
}

function email(text) {
  const e = text.trim()
  const none = { present: 0, valid: 0, plus: 0, localLength: 0, digits: 0, entropy: 0, disposable: 0, free: 0 }
  if (!e) return none
  const at = e.lastIndexOf('@')
  if (at < 0) return { ...none, present: 1 }
  const local = e.slice(0, at)
  const domain = e.slice(at + 1)
  const valid = local.length > 0 && Buffer.byteLength(local) <= 64 && domain.length <= 253 && domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.') && /^[A-Za-z0-9.-]*$/.test(domain) && !/[@ ",<>]/.test(local)
  const chars = [...local]
  const counts = new Map()
  for (const b of Buffer.from(local)) counts.set(b & 0x7f, (counts.get(b & 0x7f) ?? 0) + 1)
  const total = Buffer.byteLength(local)
  let entropy = 0
  for (const c of counts.values()) entropy -= (c / total) * Math.log2(c / total)
  const lower = domain.toLowerCase()
  const disposable = valid && (parentsIn(DISPOSABLE, lower) || parentsIn(WILDCARDS, lower))
  return { present: 1, valid: +valid, plus: +local.includes('+'), localLength: chars.length, digits: chars.length ? chars.filter((c) => c >= '0' && c <= '9').length / chars.length : 0, entropy: total ? entropy : 0, disposable: +disposable, free: +(valid && !disposable && FREE.has(lower)) }
}

function privateOrMissing(ip) {
  const v = ip.trim()
  const kind = isIP(v)
  if (!kind) return true
  if (kind === 4) {
    const [a, b] = v.split('.').map(Number)
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
  }
  const first = v.startsWith('::') ? 0 : parseInt(v.split(':')[0], 16)
  return v === '::1' || v === '::' || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80
}

// Slots resolved once, not per refine.
const CONTEXT_SLOT = Object.fromEntries(L.contextFields.map((f, i) => [f.key, L.contextBase + i]))
const ctx = (nums, key) => nums[CONTEXT_SLOT[key]]
const HEADER_FEATURES = L.headerFlags.map((h, i) => [`headers.${h.replaceAll('-', '_').replace('upgrade_insecure_requests', 'upgrade_insecure')}`, L.headerBase + i])

/** Raw feature values by name; the schema's order, transforms and defaults come from the addon. */
function raw(nums, texts) {
  const [uaText, chUa, path, mail, body, ip] = texts.split('\0', 6)
  const r = rules(nums)
  const u = ua(uaText, chUa)
  const m = email(mail)
  const inj = injection(path, body)
  const route = nums[S.Route]
  const method = nums[S.Method]
  let given = 0
  for (let i = 0; i < L.contextFields.length; i++) given += Number.isNaN(nums[L.contextBase + i]) ? 0 : 1
  given /= L.contextFields.length
  const r0 = {
    'rules.decision_present': nums[S.DecisionPresent], 'rules.denied': +(nums[S.Conclusion] === C.DENY), 'rules.challenged': +(nums[S.Conclusion] === C.CHALLENGE), 'rules.errored': +(nums[S.Conclusion] === C.ERROR),
    'rules.error_results': r.errors, 'rules.bot_denied': +r.botDenied, 'rules.bot_denied_entities': r.botDeniedEntities, 'rules.bot_verified': +r.botVerified, 'rules.bot_spoofed': +r.botSpoofed,
    'rules.shield_triggered': +r.shield, 'rules.rate_limited': +r.rateLimited, 'rules.rate_remaining_frac': r.rateFrac, 'rules.email_denied': +r.emailDenied,
    'rules.email_disposable': r.emailMask & 1 ? 1 : 0, 'rules.email_free': r.emailMask & 2 ? 1 : 0, 'rules.email_no_mx': r.emailMask & 4 ? 1 : 0, 'rules.email_no_gravatar': r.emailMask & 8 ? 1 : 0, 'rules.email_invalid': r.emailMask & 16 ? 1 : 0,
    'rules.sensitive_denied': r.sensitive, 'rules.unknown_kinds': r.unknown, 'rules.dry_run_results': r.dryRun, 'rules.result_count': nums[S.ResultCount],
    'ip.details_present': nums[S.IpPresent], 'ip.hosting': nums[S.IpHosting], 'ip.vpn': nums[S.IpVpn], 'ip.proxy': nums[S.IpProxy], 'ip.tor': nums[S.IpTor], 'ip.relay': nums[S.IpRelay], 'ip.abuser': nums[S.IpAbuser],
    'ip.private_or_missing': +privateOrMissing(ip),
    'ua.missing': u.missing, 'ua.length': u.length, 'ua.crawler_pattern': u.crawler, 'ua.http_library': u.http, 'ua.automation': u.automation, 'ua.bot_token': u.bot, 'ua.browser_like': u.browser,
    'headers.count': nums[S.HeaderCount],
    'headers.hints_without_chromium': +(u.hints && !u.chromium), 'headers.chromium_without_hints': +(u.chromium && !u.hints),
    'request.given': +(method > 0 || nums[S.HeaderCount] > 0 || path.length > 0 || ip.length > 0), 'request.method_unsafe': +(method >= 3 && method <= 6), 'request.path_length': Buffer.byteLength(path),
    'request.sqli_tokens': inj.sqli, 'request.xss_tokens': inj.xss, 'request.traversal_tokens': inj.traversal, 'request.command_tokens': inj.command, 'request.body_symbol_frac': inj.bodySymbols,
    'email.present': m.present, 'email.valid_syntax': m.valid, 'email.plus_addressing': m.plus, 'email.local_length': m.localLength, 'email.local_digit_frac': m.digits, 'email.local_entropy': m.entropy, 'email.disposable_domain': m.disposable, 'email.free_provider': m.free,
    'context.route_signup': +(route === 1), 'context.route_login': +(route === 2), 'context.route_checkout': +(route === 3), 'context.route_api': +(route === 4), 'context.fields_given': given,
    'context.session_age_s': ctx(nums, 'sessionAgeS'), 'context.session_requests': ctx(nums, 'sessionRequests'), 'context.pages_seen': ctx(nums, 'pagesSeen'), 'context.failed_logins': ctx(nums, 'failedLogins'),
    'context.account_age_days': ctx(nums, 'accountAgeDays'), 'context.email_verified': ctx(nums, 'emailVerified'), 'context.form_fill_ms': ctx(nums, 'formFillMs'), 'context.cart_value': ctx(nums, 'cartValue'),
    'context.payment_attempts': ctx(nums, 'paymentAttempts'), 'context.logged_in': ctx(nums, 'loggedIn'),
  }
  for (const [name, slot] of HEADER_FEATURES) r0[name] = nums[slot]
  Object.assign(r0, remembered(nums))
  return r0
}

// Memory features read the snapshot a refine leaves in the packed input (zeros without memory):
// per key kind, known, age, distinct, then the counters.
const MEM = schema.memory
const KIND = Object.fromEntries(MEM.kinds.map((k, i) => [k, L.memoryBase + i * MEM.entryFields]))
const COUNTER = Object.fromEntries(MEM.counters.map((c, i) => [c, 3 + i]))
const CLIENT = ['ip', 'device', 'account', 'session']
const entry = (nums, kind, field) => nums[KIND[kind] + (field === 'known' ? 0 : field === 'age' ? 1 : field === 'distinct' ? 2 : COUNTER[field])]
const largest = (nums, kinds, counter) => Math.max(0, ...kinds.map((k) => entry(nums, k, counter)))

function remembered(nums) {
  const e = (kind, field) => entry(nums, kind, field)
  return {
    'memory.ip_seen_before': e('ip', 'known'), 'memory.ip_age_s': e('ip', 'age'), 'memory.ip_requests_1m': e('ip', 'requests1m'), 'memory.ip_requests_1h': e('ip', 'requests1h'),
    'memory.ip_accounts': e('ip', 'distinct'), 'memory.network_requests_1m': e('network', 'requests1m'), 'memory.network_accounts': e('network', 'distinct'),
    'memory.device_seen_before': e('device', 'known'), 'memory.device_requests_1m': e('device', 'requests1m'), 'memory.device_accounts': e('device', 'distinct'),
    'memory.account_seen_before': e('account', 'known'), 'memory.account_age_s': e('account', 'age'), 'memory.account_devices': e('account', 'distinct'),
    'memory.session_requests_1m': e('session', 'requests1m'), 'memory.session_ips': e('session', 'distinct'),
    'memory.email_domain_requests_1h': e('email_domain', 'requests1h'), 'memory.email_domain_accounts': e('email_domain', 'distinct'),
    'memory.login_failures': largest(nums, CLIENT, 'loginFailures'), 'memory.payment_failures': largest(nums, CLIENT, 'paymentFailures'), 'memory.denials': largest(nums, CLIENT, 'denials'),
    'memory.good_outcomes': largest(nums, ['account', 'device'], 'goodOutcomes'), 'memory.chargebacks': largest(nums, ['account', 'device', 'ip'], 'chargebacks'),
  }
}

const TRANSFORM = { Flag: (x) => (x > 0 ? 1 : 0), Log1p: (x) => Math.log1p(Math.max(0, x)), Ratio: (x) => Math.min(1, Math.max(0, x)), Identity: (x) => x }

/** The model inputs, in schema order (what `featureValues` returns natively). */
export function featureValues(nums, texts, out = new Float32Array(FEATURES.length)) {
  const r = raw(nums, texts)
  FEATURES.forEach((f, i) => {
    const v = r[f.name]
    if (v === undefined) throw new Error(`the JS pipeline does not compute ${f.name}`)
    out[i] = TRANSFORM[f.transform](Number.isNaN(v) ? f.missing : v)
  })
  return out
}

const W1 = Float32Array.from(M.w1)
const W2 = Float32Array.from(M.w2)
const sigmoid = (x) => 1 / (1 + Math.exp(-x))

/** Calibrated threat probabilities of a feature vector. */
export function score(x) {
  const H = M.hidden
  const n = M.inputs
  const z = new Float32Array(n)
  for (let j = 0; j < n; j++) z[j] = (x[j] - M.mean[j]) * M.invStd[j]
  const h = new Float32Array(H)
  for (let i = 0; i < H; i++) {
    let acc = M.b1[i]
    const row = i * n
    for (let j = 0; j < n; j++) acc += W1[row + j] * z[j]
    h[i] = acc > 0 ? acc : 0
  }
  const out = [0, 0, 0]
  for (let k = 0; k < 3; k++) {
    let acc = M.b2[k]
    for (let i = 0; i < H; i++) acc += W2[k * H + i] * h[i]
    out[k] = sigmoid(M.calibration[k][0] * acc + M.calibration[k][1])
  }
  return out
}

export const modelVersion = M.version

/** `new JsRefiner({ profile }).refine(decision, input)`: the same answers as the addon's, in JS. */
export class JsRefiner {
  #nums = new Float64Array(WIDTH)
  #x = new Float32Array(FEATURES.length)
  constructor({ profile = 'default' } = {}) {
    this.thresholds = M.thresholds[profile]
  }

  refine(decision, input) {
    const texts = pack(this.#nums, decision, input)
    const p = score(featureValues(this.#nums, texts, this.#x))
    const t = this.thresholds
    const conclusion = p.some((v, k) => v >= t.deny[k]) ? 'DENY' : p.some((v, k) => v >= t.challenge[k]) ? 'CHALLENGE' : 'ALLOW'
    return { conclusion, score: Math.max(...p), threats: { bot: p[0], attack: p[1], abuse: p[2] } }
  }
}
