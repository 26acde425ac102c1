// The refiner's pipeline in pure JavaScript, written for speed, so benches/bench.mjs can time what
// the addon saves: the same packer (lib/pack.js); every feature of the schema except the payload
// ones computed as crates/refiner-core/src/features does (rules.rs, ua.rs, client.rs, email.rs,
// lists.rs, schema.rs, over the decision/ readers); the model's forward pass as model/mod.rs (the
// weights read at load from the test build's `defaultModelJson`, never copied here); the policy as
// policy.rs. bench.mjs and __test__/js-pipeline.test.mjs check it against the addon.
//
// The payload features are an APPROXIMATION. The addon's payload analysis (features/payload/:
// splitting, decoding, libinjection, a detector per family) is far too large to port; here the
// same values the Rust splitter visits (path segments, query pairs, header values but the
// fixed-grammar ones, cookies, the email, body fields and the strings of JSON ones) are
// percent-decoded the one level the app decodes them, prefiltered, and matched with one regex per
// family (up to three more rounds of decoding when a value is still encoded). It finds neither the
// same payloads nor as much work as the addon does, so the JS timings are a lower bound on what a
// JS implementation would cost, and parity is checked only where neither side sees a payload.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const { schema, lookup } = require('../lib/schema.js')
const { pack, WIDTH } = require('../lib/pack.js')

/** The test build (npm run build:test): the only one that exports the model's weights and tables. */
function loadTestBuild() {
  const dir = join(root, 'target', 'test-build')
  const file = existsSync(dir) && readdirSync(dir).find((f) => f.endsWith('.node'))
  if (!file) throw new Error('benches/js-pipeline.mjs reads the model from the test build: run npm run build:test')
  const build = require(join(dir, file))
  if (JSON.parse(build.schemaJson()).schemaHash !== schema.schemaHash) throw new Error('target/test-build has another feature schema than the addon: run npm run build:test')
  return build
}
export const testBuild = loadTestBuild()
const T = JSON.parse(testBuild.analyzerTablesJson())

const L = schema.input
const S = L.slots
const FEATURES = schema.features
const N = FEATURES.length
const THREATS = schema.threats
const index = (name) => {
  const j = FEATURES.findIndex((f) => f.name === name)
  if (j < 0) throw new Error(`the schema has no feature ${name}`)
  return j
}

// ---- Text helpers that behave as Rust's str methods do ----

// char::is_whitespace (Unicode White_Space), which str::trim uses: JS's trim also strips U+FEFF and keeps U+0085.
const RUST_SPACE = '\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const EDGE_SPACE = new RegExp(`^[${RUST_SPACE}]+|[${RUST_SPACE}]+$`, 'g')
const trim = (s) => (s.length === 0 || (s.charCodeAt(0) > 32 && s.charCodeAt(0) < 127 && s.charCodeAt(s.length - 1) > 32 && s.charCodeAt(s.length - 1) < 127) ? s : s.replace(EDGE_SPACE, ''))
const NON_ASCII = /[^\x00-\x7f]/
const utf8Length = (s) => (NON_ASCII.test(s) ? Buffer.byteLength(s) : s.length)
/** decision::clip: at most `max` UTF-8 bytes, cut on a character boundary. */
function clip(s, max) {
  if (s.length * 3 <= max || utf8Length(s) <= max) return s
  let bytes = 0
  let i = 0
  for (const ch of s) {
    const c = ch.codePointAt(0)
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
    if (bytes > max) break
    i += ch.length
  }
  return s.slice(0, i)
}

/** Rust regex syntax → JS (`u`): `\d` is Unicode there, `.` stops only at `\n`, and any punctuation may be escaped. */
function rustRegex(pattern) {
  let out = ''
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\') {
      const e = pattern[++i]
      out += e === 'd' ? '\\p{Nd}' : e === 'D' ? '\\P{Nd}' : /[!-/:-@[-`{-~]/.test(e) && !/[\^$\\.*+?()[\]{}|/-]/.test(e) ? e : `\\${e}`
    } else {
      if (c === '[') inClass = true
      else if (c === ']') inClass = false
      out += c === '.' && !inClass ? '[^\\n]' : c
    }
  }
  return out
}

// ---- User agent (ua.rs) ----

const escape = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
// Aho-Corasick with ascii_case_insensitive: a regex's `i` without `u` folds ASCII letters only.
const anyOf = (words) => new RegExp(words.map(escape).join('|'), 'i')
const HTTP = anyOf(T.httpLibraries)
const EXACT_HTTP = new RegExp(`^(?:${T.exactLibraries.map(escape).join('|')})$`, 'i')
const AUTOMATION = anyOf(T.automation)
const BOT_WORDS = anyOf(T.botWords)
const BROWSERS = anyOf(T.browsers)
const ENGINES = anyOf(T.engines)
const CHROMIUM = anyOf(T.chromium)
const list = (file) => readFileSync(join(root, 'crates/refiner-core/data', file), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
const CRAWLERS = new RegExp(list('crawler-patterns.txt').map(rustRegex).join('|'), 'u')

const BOT_WORDS_ALL = new RegExp(BOT_WORDS.source, 'gi')

/** A robot word after `from` (a browser's platform parenthesis names phones: CUBOT is a brand). */
function botWordAfter(ua, from) {
  BOT_WORDS_ALL.lastIndex = 0
  for (let m; (m = BOT_WORDS_ALL.exec(ua)); ) if (m.index > from) return true
  return false
}

/** One user agent: balanced (comments), no comma outside them (a repeated header joined is two). */
function oneProductList(ua) {
  let depth = 0
  for (let i = 0; i < ua.length; i++) {
    const c = ua.charCodeAt(i)
    if (c === 0x28) depth++
    else if (c === 0x29 && --depth < 0) return false
    else if (c === 0x2c && depth === 0) return false
  }
  return depth === 0
}

function analyzeUa(ua) {
  if (!ua) return { missing: true, crawler: false, http: false, automation: false, bot: false, browser: false, chromium: false, integration: false }
  const browser = ua.startsWith('Mozilla/5.0 (') && oneProductList(ua) && ENGINES.test(ua) && BROWSERS.test(ua)
  const platformEnd = browser ? Math.max(ua.indexOf(')'), 0) : 0
  return {
    missing: false, crawler: CRAWLERS.test(ua), http: HTTP.test(ua) || EXACT_HTTP.test(ua), automation: AUTOMATION.test(ua),
    bot: botWordAfter(ua, platformEnd), browser, chromium: browser && CHROMIUM.test(ua), integration: T.integrations.some((p) => ua.startsWith(p)),
  }
}

// Analyses of recent user agents, as the addon's per-workspace cache keeps them (256, up to 256 bytes).
const UA_CACHE = new Map()
function uaInfo(text) {
  const ua = trim(text)
  let info = UA_CACHE.get(ua)
  if (info) return info
  info = analyzeUa(ua)
  if (ua.length <= 256) {
    if (UA_CACHE.size >= 256) UA_CACHE.delete(UA_CACHE.keys().next().value)
    UA_CACHE.set(ua, info)
  }
  return info
}

// ---- Headers (decision/headers.rs) and client presentation (client.rs) ----

const H = Object.fromEntries(L.headers.map((name, i) => [name, i]))
const HEADER = lookup(L.headers.map((name, i) => [name, i]))
// Header::lookup compares ASCII case-insensitively: no non-ASCII name is a known header.
const headerOf = (name) => HEADER(name) ?? (NON_ASCII.test(name) ? undefined : HEADER(name.toLowerCase()))

/** The values of the known headers (first of repeated names wins), undefined when absent; `repeated` lists the repeated ones. */
function readHeaders(fields, at, pairs) {
  const values = new Array(L.headers.length)
  values.repeated = new Set()
  for (let i = 0; i < pairs; i++) {
    const h = headerOf(fields[at + 2 * i])
    if (h === undefined) continue
    if (values[h] === undefined) values[h] = fields[at + 2 * i + 1]
    else values.repeated.add(h)
  }
  return values
}

/** The number after the first `token` in `s` (at most 6 digits), or -1. */
function versionAfter(s, token) {
  const at = s.indexOf(token)
  if (at < 0) return -1
  let end = at + token.length
  while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++
  const digits = Math.min(end - at - token.length, 6)
  return digits ? Number(s.slice(at + token.length, at + token.length + digits)) : -1
}

const OTHER = 0
const CHROMIUM_BROWSER = 1
const FIREFOX = 2
const SAFARI = 3
/** The browser the user agent claims, as [kind, major version]. */
function claimed(ua, info) {
  if (!info.browser) return [OTHER, 0]
  if (info.chromium) {
    // iOS Chrome (CriOS) is WebKit underneath.
    if (ua.includes('CriOS/')) return versionAfter(ua, 'Version/') >= 0 ? [SAFARI, 0] : [OTHER, 0]
    const v = versionAfter(ua, 'Chrome/')
    return v >= 0 ? [CHROMIUM_BROWSER, v] : [OTHER, 0]
  }
  const firefox = versionAfter(ua, 'Firefox/')
  if (firefox >= 0) return [FIREFOX, firefox]
  return ua.includes('Safari/') && versionAfter(ua, 'Version/') >= 0 ? [SAFARI, 0] : [OTHER, 0]
}

function hintedMajor(hints) {
  let at = hints.indexOf('"Chromium";v="')
  if (at < 0) at = hints.indexOf('"Google Chrome";v="')
  return at < 0 ? -1 : versionAfter(hints.slice(at), ';v="')
}

function uaPlatform(ua) {
  if (ua.includes('Windows NT')) return '"Windows"'
  if (ua.includes('Android')) return '"Android"'
  if (ua.includes('CrOS')) return '"Chrome OS"'
  if (ua.includes('Macintosh')) return '"macOS"'
  if (ua.includes('Linux')) return '"Linux"'
  return null
}

const OLDER_CHROME = ['UCBrowser/', 'MiuiBrowser/', 'HuaweiBrowser/', '; wv)']

function samePlatform(ua, hint) {
  const h = trim(hint).replace(/^"+|"+$/g, '').toLowerCase()
  const u = ua.replace(/"/g, '')
  return h === u.toLowerCase() || (u === 'Linux' && h === 'android') || (u === 'Android' && h === 'harmonyos') || (u === 'Chrome OS' && h === 'chromeos')
}

const NOT_JUDGED = { missingUserAgent: false, missingAccept: false, missingAcceptLanguage: false, missingFetchMetadata: false, chromiumWithoutHints: false, hintsWithoutChromium: false, hintsMismatch: false, headlessHints: false, fewHeaders: false, encodingWithoutBr: false, libraryDefaults: false }

function presentation(values, count, info) {
  const has = (h) => values[h] !== undefined
  const get = (h) => values[h] ?? ''
  // Judged only when the whole set, which names the host, was passed.
  if (!has(H.host) && !has(H[':authority'])) return NOT_JUDGED
  const ua = get(H['user-agent'])
  const [browser, v] = claimed(ua, info)
  const isBrowser = browser !== OTHER
  const chromium = browser === CHROMIUM_BROWSER
  const fetchMetadata = (chromium && v >= 76) || (browser === FIREFOX && v >= 90)
  const hints = get(H['sec-ch-ua'])
  const mobileHint = get(H['sec-ch-ua-mobile'])
  const uaMobile = ua.includes('Mobile')
  const platform = uaPlatform(ua)
  let hintsMismatch = false
  if (chromium && has(H['sec-ch-ua'])) {
    const major = hintedMajor(hints)
    const platformHint = get(H['sec-ch-ua-platform'])
    hintsMismatch = (major >= 0 && (major < v || (major > v && !OLDER_CHROME.some((t) => ua.includes(t))))) || (mobileHint === '?1' && !uaMobile && platformHint !== '"Android"') || (mobileHint === '?0' && uaMobile) ||
      (has(H['sec-ch-ua-platform']) && platform !== null && !samePlatform(platform, platformHint)) ||
      // Chromium 89–103 sent this grease brand; a newer version with it is forged.
      (v >= 110 && hints.includes('" Not A;Brand"'))
  }
  const encoding = get(H['accept-encoding'])
  return {
    missingUserAgent: !has(H['user-agent']) || info.missing,
    missingAccept: !has(H.accept),
    missingAcceptLanguage: isBrowser && !has(H['accept-language']),
    missingFetchMetadata: fetchMetadata && !has(H['sec-fetch-mode']) && !has(H['sec-fetch-site']),
    chromiumWithoutHints: chromium && v >= 89 && platform !== '"Linux"' && platform !== null && !has(H['sec-ch-ua']),
    hintsWithoutChromium: has(H['sec-ch-ua']) && !chromium && hints !== '',
    hintsMismatch,
    headlessHints: hints.includes('HeadlessChrome'),
    fewHeaders: isBrowser && count <= 4,
    encodingWithoutBr: isBrowser && has(H['accept-encoding']) && !encoding.includes('br') && trim(encoding) !== 'identity',
    libraryDefaults: isBrowser && (trim(get(H['accept-language'])) === '*' || (has(H['sec-fetch-mode']) && !has(H['sec-fetch-site']) && !has(H['sec-fetch-dest']))),
  }
}

// ---- Rules (rules.rs) ----

const CODES = L.codes
const DENY = CODES.conclusion.DENY
const DRY_RUN = CODES.state.DRY_RUN
const NOT_RUN = CODES.state.NOT_RUN
const KIND = CODES.ruleKind
const KIND_CODES = new Set(Object.values(KIND))
const EMAIL_TYPE = CODES.emailType

function summarizeRules(nums) {
  const s = { botRan: false, botDenied: false, botAllowedNamed: false, botVerified: false, botSpoofed: false, shield: false, rateLimited: false, rateFrac: NaN, emailMask: 0, emailDenied: false }
  const kept = Math.min(nums[S.ResultCount], L.maxResults)
  for (let i = 0; i < kept; i++) {
    const r = L.resultsBase + i * L.resultStride
    if (nums[r + 1] === DRY_RUN || nums[r + 1] === NOT_RUN) continue
    const denied = nums[r + 2] === DENY
    const a = nums[r + 3]
    const b = nums[r + 4]
    switch (nums[r]) {
      case KIND.BOT:
        s.botRan = true
        s.botDenied ||= denied
        s.botAllowedNamed ||= !denied && b > 0
        s.botVerified ||= nums[r + 5] > 0
        s.botSpoofed ||= nums[r + 6] > 0
        break
      case KIND.SHIELD:
        s.shield ||= denied || a > 0
        break
      case KIND.RATE_LIMIT:
        s.rateLimited ||= denied
        if (a > 0) {
          const frac = Math.min(1, Math.max(0, b / a))
          s.rateFrac = Number.isNaN(s.rateFrac) ? frac : Math.min(s.rateFrac, frac)
        }
        break
      case KIND.EMAIL:
        s.emailMask |= a
        s.emailDenied ||= denied
        break
    }
  }
  return s
}

// ---- Email (email.rs, lists.rs) ----

// The addon keeps these lists as 32-bit hashes (an unlisted domain matches by chance with
// probability ~3e-5); the sets here hold the domains themselves.
const DISPOSABLE = new Set([...list('disposable-domains.txt'), ...list('disposable-wildcards.txt')].map((d) => d.toLowerCase()))
const FREE = new Set(list('free-providers.txt').map((d) => d.toLowerCase()))

function listedWithParents(set, domain) {
  for (let d = domain; ;) {
    if (set.has(d)) return true
    const i = d.indexOf('.')
    if (i < 0 || !d.includes('.', i + 1)) return false
    d = d.slice(i + 1)
  }
}

/** Shannon entropy of the local part's bytes (each & 0x7f), summed in the order email.rs sums it. */
function entropy(local) {
  const bytes = NON_ASCII.test(local) ? Buffer.from(local) : null
  const n = bytes ? bytes.length : local.length
  if (n === 0) return 0
  const at = (i) => (bytes ? bytes[i] : local.charCodeAt(i)) & 0x7f
  const counts = new Uint32Array(128)
  for (let i = 0; i < n; i++) counts[at(i)]++
  let sum = 0
  for (let i = 0; i < n; i++) {
    const c = counts[at(i)]
    counts[at(i)] = 0
    if (c > 0) sum += c * Math.log2(c)
  }
  return Math.max(Math.log2(n) - sum / n, 0)
}

const NO_EMAIL = { present: false, valid: false, plus: false, entropy: 0, disposable: false, free: false }
function analyzeEmail(text) {
  const email = trim(text)
  if (!email) return NO_EMAIL
  const at = email.lastIndexOf('@')
  if (at < 0) return { ...NO_EMAIL, present: true }
  const local = email.slice(0, at)
  const domain = email.slice(at + 1)
  const valid = local.length > 0 && utf8Length(local) <= 64 && utf8Length(domain) <= 253 && domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.') && /^[A-Za-z0-9.-]*$/.test(domain) && !/[@ ",<>]/.test(local)
  const lower = valid ? domain.toLowerCase() : ''
  const disposable = valid && listedWithParents(DISPOSABLE, lower)
  return { present: true, valid, plus: local.includes('+'), entropy: entropy(local), disposable, free: valid && !disposable && FREE.has(lower) }
}

// ---- The payload approximation (see the top of this file) ----

const PAYLOAD = FEATURES.map((f, j) => [f, j]).filter(([f]) => f.group === 'payload')
// The payload features that are no family, from a request's analyses `a`; every other payload
// feature is `payload.<family>`.
const PAYLOAD_AGGREGATES = {
  'payload.confirmed': (a) => a.payload.families.reduce((n, x) => n + x, 0),
  'payload.suspicious': (a) => a.payload.suspicious,
  'payload.obfuscated': (a) => +a.payload.obfuscated,
  'payload.incomplete': (a) => +(a.nums[S.BodyOversized] > 0),
  'payload.values': (a) => a.payload.values,
  // Near misses by family are beyond the approximation; requests with any are not compared.
  'payload.probe': () => 0,
}
// One regex per family; a family the schema names and this file has no regex for counts 0.
const FAMILY_PATTERNS = {
  sqli: /'\s*(?:or|and|union|having|order\s+by|;|\)|--|#)|\bunion(?:\s+all)?\s+select\b|\bselect\b[^;]{0,80}\bfrom\b|;\s*(?:drop|delete|insert|update|exec|shutdown)\b|\b(?:sleep|benchmark|pg_sleep|extractvalue|updatexml)\s*\(|\bwaitfor\s+delay\b|\b(?:or|and)\s+\d+\s*=\s*\d+/i,
  xss: /<\s*\/?\s*(?:script|img|svg|iframe|body|object|embed|video|audio|details|marquee|input|form|math|style|link|meta|base)\b|<[^>]*\bon[a-z]+\s*=|\bjavascript\s*:|\bdata\s*:\s*text\/html|\balert\s*\(|\bdocument\.(?:cookie|domain|location)/i,
  command: /(?:[;&|`\n]|\$\()\s*(?:cat|id|ls|whoami|uname|wget|curl|nc|ncat|bash|sh|ping|echo|sleep|touch|nslookup|powershell|cmd)\b|\(\)\s*\{[^}]*\}\s*;/i,
  traversal: /(?:^|[\\/=])\.\.[\\/]|\/etc\/(?:passwd|shadow|hosts)\b|\b(?:boot|win)\.ini\b|(?:^|\/)\.(?:env|git\/config)\b/i,
  template: /\{\{[^}]*\}\}|\{%[^%]*%\}|<%[^%]*%>|#\{[^}]*\}|\$\{[^}]*\}/,
  jndi: /\$\{[^}]*j[^}]*n[^}]*d[^}]*i[^}]*:/i,
  ssrf: /^(?:gopher|dict|file|ldap|tftp|ftp):\/\/|^https?:\/\/(?:127\.|0\.0\.0\.0|localhost\b|169\.254\.|10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|\[(?:::1?|0:0:0:0:0:0:0:1)\]|metadata\.google\.internal)/i,
  code: /<\?php|\b(?:system|exec|passthru|shell_exec|popen|proc_open|eval|assert|phpinfo)\s*\(|\$_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES)\b/i,
  // A breakout (`)` or `*`) then a boolean group of attribute tests, or `(&)`/`(|)` after a value.
  ldap: /[*)]\([|&!]\([a-z0-9][a-z0-9;.:-]*[~<>:]?=|^[\w*@.+-]+\)\([|&]\)/i,
}
const FAMILIES = PAYLOAD.filter(([f]) => !PAYLOAD_AGGREGATES[f.name]).map(([f, j]) => ({ j, name: f.name.slice('payload.'.length), pattern: FAMILY_PATTERNS[f.name.slice('payload.'.length)] }))
/** Families of the schema that the approximation cannot see. */
export const unmatchedFamilies = FAMILIES.filter((f) => !f.pattern).map((f) => f.name)
const MATCHED = FAMILIES.filter((f) => f.pattern).map((f, slot) => ({ ...f, slot }))
const TRAVERSAL = MATCHED.filter((f) => f.name === 'traversal')
// A value without any of these goes to no detector, as the addon's byte-class prefilter skips most.
const TRIGGER = /['"`<>;|$(){}\\%]|\.\.|--|:\/\/|^\/|&#/
// A weak sign of some family that no regex confirmed.
const SUSPICIOUS = /['"`]\s*(?:or\b|and\b|[;)=|&#-])|<\s*[a-z!/?%]|\bunion\s+select\b|\$[({]|\{\{|\.\.[\\/]/i
const ENCODED = /%[0-9a-f]{2}|%u[0-9a-f]{4}|&#|&[a-z]+;|\\x[0-9a-f]{2}/i
// Headers apps parse rather than echo (scan.rs FIXED_GRAMMAR): not scanned.
const FIXED_GRAMMAR = new Set(['sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'accept', 'accept-language', 'accept-encoding', 'sec-fetch-mode', 'sec-fetch-site', 'sec-fetch-dest', 'sec-fetch-user', 'upgrade-insecure-requests', 'connection', 'te', 'priority'].map((h) => H[h]))
const FIELD_SEPARATOR = '\x1f'
const ENTITIES = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }

/** Percent-decoding (`+` as a space with `plus`); overlong UTF-8 decodes to its ASCII, other malformed escapes byte by byte. */
function percent(s, plus) {
  if (!s.includes('%') && !(plus && s.includes('+'))) return s
  const t = plus ? s.replaceAll('+', ' ') : s
  try {
    return decodeURIComponent(t)
  } catch {
    return t
      .replace(/%c([01])%([89ab][0-9a-f])/gi, (_, hi, lo) => String.fromCharCode(((parseInt(hi, 16) & 1) << 6) | (parseInt(lo, 16) & 0x3f)))
      .replace(/%[0-9a-f]{2}/gi, (e) => String.fromCharCode(parseInt(e.slice(1), 16)))
  }
}

/** Up to three rounds of percent, `%u`, entity and `\x` decoding, full-width forms to ASCII. */
function deepDecode(s) {
  for (let round = 0; round < 3 && ENCODED.test(s); round++) {
    s = percent(s.replace(/%u([0-9a-f]{4})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), false)
      .replace(/&#x([0-9a-f]+);?|&#(\d+);?/gi, (_, h, d) => String.fromCodePoint(Math.min(h ? parseInt(h, 16) : Number(d), 0x10ffff)))
      .replace(/&([a-z]+);/gi, (e, name) => ENTITIES[name.toLowerCase()] ?? e)
      .replace(/\\x([0-9a-f]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)))
  }
  return s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
}

/** What the approximation found in one request; `families[slot]` counts the values of a family. */
class PayloadScan {
  families = new Uint16Array(MATCHED.length)
  suspicious = 0
  obfuscated = false
  values = 0

  value(raw, plus, families = MATCHED) {
    this.values++
    const text = plus === null ? raw : percent(raw, plus)
    if (!TRIGGER.test(text)) return
    let found = false
    for (let i = 0; i < families.length; i++) {
      if (families[i].pattern.test(text)) {
        this.families[families[i].slot]++
        found = true
      }
    }
    if (!found && ENCODED.test(text)) {
      const deep = deepDecode(text)
      for (let i = 0; i < families.length; i++) {
        if (families[i].pattern.test(deep)) {
          this.families[families[i].slot]++
          this.obfuscated = found = true
        }
      }
    }
    if (!found && SUSPICIOUS.test(text)) this.suspicious++
  }

  /** `key=value` pairs split on `sep`: key and value are each a value (split.rs `pairs`). */
  pairs(text, sep, plus) {
    for (const piece of text.split(sep)) {
      const pair = piece.trim()
      if (!pair) continue
      const eq = pair.indexOf('=')
      if (eq < 0) this.value(pair, plus)
      else {
        this.value(pair.slice(0, eq), plus)
        if (eq + 1 < pair.length) this.value(pair.slice(eq + 1), plus)
      }
    }
  }

  /** The request target: path segments (the whole path again, for traversal, when it has dot segments) and query pairs. */
  path(target) {
    const hash = target.indexOf('#')
    if (hash >= 0) target = target.slice(0, hash)
    const q = target.indexOf('?')
    const path = q < 0 ? target : target.slice(0, q)
    let dots = false
    for (const segment of path.split('/')) {
      if (!segment) continue
      dots ||= /^(?:\.|%2e){2,}(?:;|$)/i.test(segment)
      this.value(segment, false)
    }
    if (dots) this.value(path, false, TRAVERSAL)
    if (q >= 0) this.pairs(target.slice(q + 1), '&', true)
  }

  /** Body fields (body.rs): JSON text gives its strings, a form its pairs, anything else is one value. */
  body(text) {
    for (const field of text.split(FIELD_SEPARATOR)) {
      if (!field) continue
      const t = field.trim()
      if (t[0] === '{' || t[0] === '[') {
        if (!this.json(t)) this.value(field, null)
      } else if (/^[\w.[\]%-]+=/.test(t) && !/\s/.test(t)) this.pairs(t, '&', true)
      else this.value(field, null)
    }
  }

  json(text) {
    let parsed
    try {
      parsed = JSON.parse(text)
    } catch {
      return false
    }
    const stack = [parsed]
    while (stack.length) {
      const v = stack.pop()
      if (typeof v === 'string') this.value(v, null)
      else if (v && typeof v === 'object') {
        for (const k of Object.keys(v)) {
          if (!Array.isArray(v)) this.value(k, null)
          stack.push(v[k])
        }
      }
    }
    return true
  }
}

function scanPayload(fields, path, email, headerAt, pairs) {
  const scan = new PayloadScan()
  scan.path(path)
  for (let i = 0; i < pairs; i++) {
    const h = headerOf(fields[headerAt + 2 * i])
    const value = clip(fields[headerAt + 2 * i + 1], L.maxTextBytes)
    if (h === H.cookie) for (const c of value.split(FIELD_SEPARATOR)) scan.pairs(c, ';', false)
    else if (!FIXED_GRAMMAR.has(h)) for (const v of value.split(FIELD_SEPARATOR)) if (v) scan.value(v, false)
  }
  scan.body(email)
  for (let i = headerAt + 2 * pairs; i < fields.length; i++) scan.body(fields[i])
  return scan
}

// ---- Every feature by name (schema.rs) ----

const CONTEXT = L.contextFields.map((f, i) => ({ ...f, slot: L.contextBase + i }))
const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const contextOf = (feature) => {
  const c = CONTEXT.find((f) => `context.${snake(f.key)}` === feature)
  if (!c) throw new Error(`the JS pipeline does not compute ${feature}`)
  return c
}
/** Context field `c` clamped to its plausible range (NaN when absent). */
const context = (a, c) => Math.min(a.nums[c.slot], c.max)

/** Raw value of each feature from one request's analyses `a`; memory features read 0: the JS pipeline has no memory. */
const EXTRACT = {
  'rules.bot_denied': (a) => +a.rules.botDenied,
  'rules.bot_spoofed': (a) => +a.rules.botSpoofed,
  'rules.bot_verified': (a) => +a.rules.botVerified,
  'rules.bot_allowed': (a) => +(a.rules.botRan && !a.rules.botDenied),
  'rules.bot_allowed_named': (a) => +a.rules.botAllowedNamed,
  'rules.shield_triggered': (a) => +a.rules.shield,
  'rules.rate_limited': (a) => +a.rules.rateLimited,
  'rules.rate_remaining_frac': (a) => a.rules.rateFrac,
  'rules.email_denied': (a) => +a.rules.emailDenied,
  'rules.email_disposable': (a) => +((a.rules.emailMask & EMAIL_TYPE.DISPOSABLE) !== 0),
  'rules.email_no_mx': (a) => +((a.rules.emailMask & EMAIL_TYPE.NO_MX_RECORDS) !== 0),
  'rules.email_invalid': (a) => +((a.rules.emailMask & EMAIL_TYPE.INVALID) !== 0),
  'rules.email_free': (a) => +((a.rules.emailMask & EMAIL_TYPE.FREE) !== 0),
  'ip.hosting': (a) => a.nums[S.IpHosting],
  'ip.proxy': (a) => a.nums[S.IpProxy],
  'ip.tor': (a) => a.nums[S.IpTor],
  'ip.abuser': (a) => a.nums[S.IpAbuser],
  'ua.known_crawler': (a) => +(a.ua.crawler && !a.ua.integration),
  'ua.unknown_bot': (a) => +(a.ua.bot && !a.ua.crawler && !a.ua.integration),
  'ua.integration': (a) => +a.ua.integration,
  'ua.http_library': (a) => +a.ua.http,
  'ua.automation': (a) => +a.ua.automation,
  'ua.not_browser': (a) => +!a.ua.browser,
  'headers.missing_user_agent': (a) => +a.client.missingUserAgent,
  'headers.missing_accept_language': (a) => +a.client.missingAcceptLanguage,
  'headers.missing_fetch_metadata': (a) => +a.client.missingFetchMetadata,
  'headers.chromium_without_hints': (a) => +a.client.chromiumWithoutHints,
  'headers.hints_without_chromium': (a) => +a.client.hintsWithoutChromium,
  'headers.hints_mismatch': (a) => +a.client.hintsMismatch,
  'headers.headless_hints': (a) => +a.client.headlessHints,
  'headers.few_headers': (a) => +a.client.fewHeaders,
  'headers.encoding_without_br': (a) => +a.client.encodingWithoutBr,
  'headers.library_defaults': (a) => +a.client.libraryDefaults,
  'headers.missing_accept': (a) => +a.client.missingAccept,
  'email.disposable_domain': (a) => +a.email.disposable,
  'email.invalid_syntax': (a) => +(a.email.present && !a.email.valid),
  'email.free_provider': (a) => +a.email.free,
  'email.plus_addressing': (a) => +a.email.plus,
  'email.local_entropy': (a) => a.email.entropy / 5,
  'context.implausible': (a) => CONTEXT.reduce((n, c) => n + (a.nums[c.slot] > c.max), 0),
}
// A name the schema no longer has fails here, as one this file does not compute does below.
Object.keys(EXTRACT).forEach(index)
for (const [name, extract] of Object.entries(PAYLOAD_AGGREGATES)) if (FEATURES.some((f) => f.name === name)) EXTRACT[name] = extract
for (const { name, group } of FEATURES) {
  if (EXTRACT[name]) continue
  if (group === 'memory') EXTRACT[name] = () => 0
  else if (group === 'context') {
    const c = contextOf(name)
    EXTRACT[name] = (a) => context(a, c)
  } else if (group === 'payload') {
    const family = MATCHED.find((f) => f.j === index(name))
    EXTRACT[name] = family ? (a) => a.payload.families[family.slot] : () => 0
  } else throw new Error(`the JS pipeline does not compute ${name}`)
}
const EXTRACTORS = FEATURES.map((f) => EXTRACT[f.name])
const MISSING = Float64Array.from(FEATURES, (f) => f.missing)
const TRANSFORM = { Flag: (x) => (x > 0 ? 1 : 0), Log1p: (x) => (x > 0 ? Math.log(1 + x) : 0), Ratio: (x) => Math.min(1, Math.max(0, x)) }
const TRANSFORMS = FEATURES.map((f) => TRANSFORM[f.transform] ?? (() => { throw new Error(`unknown transform ${f.transform} of ${f.name}`) })())

const PATH = L.texts.findIndex((t) => t.name === 'path')
const EMAIL = L.texts.findIndex((t) => t.name === 'email')

/** Fills `raw` (before the transforms, missing values filled in) and `values` (the model inputs) from a packed request. */
function extract(nums, texts, raw, values) {
  const fields = texts.split('\0')
  const path = clip(fields[PATH], L.maxTextBytes)
  const email = clip(fields[EMAIL], L.maxTextBytes)
  const pairs = Math.min(nums[S.HeaderPairs], L.maxHeaderPairs)
  const headerAt = L.texts.length
  const headers = readHeaders(fields, headerAt, pairs)
  let ua = uaInfo(headers[H['user-agent']] ?? '')
  // No browser sends two user agents.
  if (headers.repeated.has(H['user-agent'])) ua = { ...ua, browser: false, chromium: false }
  const a = { nums, rules: summarizeRules(nums), ua, client: presentation(headers, pairs, ua), email: analyzeEmail(email), payload: scanPayload(fields, path, email, headerAt, pairs) }
  for (let j = 0; j < N; j++) {
    const x = EXTRACTORS[j](a)
    raw[j] = Number.isNaN(x) ? MISSING[j] : x
    values[j] = TRANSFORMS[j](raw[j])
  }
}

/** The model inputs of a packed request, in schema order (what the test build's `featureValues` returns). */
export function featureValues(nums, texts, out = new Float32Array(N)) {
  extract(nums, texts, new Float64Array(N), out)
  return out
}

// ---- The model (model/mod.rs) ----

const HEADS = THREATS.length

/** A model from its weights as `defaultModelJson` gives them. */
export class JsModel {
  constructor(m) {
    if (m.inputs !== N || m.hidden % HEADS) throw new Error(`model ${m.version} has ${m.inputs} inputs and ${m.hidden} hidden units: not the schema's ${N} features and ${HEADS} heads`)
    this.version = m.version
    this.thresholds = m.thresholds
    this.calibration = m.calibration
    this.hidden = m.hidden
    // Hidden unit h belongs to head h / units; the other heads' output weights from it are 0.
    this.units = m.hidden / HEADS
    const [lo, hi, mean, invStd, w1, w2, v] = [m.lo, m.hi, m.mean, m.invStd, m.w1, m.w2, m.v].map((a) => Float64Array.from(a))
    Object.assign(this, { lo, hi, invStd, w2, v })
    // Each input's value at a raw 0 after clamping, and the hidden and skip terms with every input
    // there: most inputs of a request are 0, so a pass adds only the others' steps, as the addon does.
    this.zero = Float64Array.from(lo, (x, j) => Math.min(Math.max(0, x), hi[j]))
    const z0 = Float64Array.from(this.zero, (z, j) => (z - mean[j]) * invStd[j])
    const atZero = (bias, weights) => Float64Array.from(bias, (b, r) => z0.reduce((sum, z, j) => sum + weights[r * N + j] * z, b))
    this.b1AtZero = atZero(m.b1, w1)
    this.b2AtZero = atZero(m.b2, v)
    // W1 transposed: one contiguous row of hidden weights per input.
    this.w1t = new Float64Array(N * m.hidden)
    for (let h = 0; h < m.hidden; h++) for (let j = 0; j < N; j++) this.w1t[j * m.hidden + h] = w1[h * N + j]
    this.pre = new Float64Array(m.hidden)
  }

  /** Calibrated probability per threat of the model inputs `x`, rounded to f32 as the addon's are. */
  score(x, out = new Float64Array(HEADS)) {
    const { lo, hi, zero, invStd, w1t, v, w2, pre, hidden, units } = this
    pre.set(this.b1AtZero)
    out.set(this.b2AtZero)
    for (let j = 0; j < N; j++) {
      if (x[j] === 0) continue
      const d = (Math.min(Math.max(x[j], lo[j]), hi[j]) - zero[j]) * invStd[j]
      for (let h = 0, row = j * hidden; h < hidden; h++) pre[h] += d * w1t[row + h]
      for (let k = 0; k < HEADS; k++) out[k] += d * v[k * N + j]
    }
    for (let k = 0; k < HEADS; k++) {
      let logit = out[k]
      for (let h = k * units; h < (k + 1) * units; h++) if (pre[h] > 0) logit += w2[k * hidden + h] * pre[h]
      const [a, b] = this.calibration[k]
      out[k] = Math.fround(1 / (1 + Math.exp(-(a * logit + b))))
    }
    return out
  }
}

/** The weights the addon embeds, as the test build reports them. */
export const defaultModel = new JsModel(JSON.parse(testBuild.defaultModelJson()))

// ---- The policy (policy.rs) ----

/** Each evidence feature's activation threshold (`evidence (> x)`), from docs/FEATURES.md: the JS schema has only a flag. */
function evidenceThresholds() {
  const doc = readFileSync(join(root, 'docs', 'FEATURES.md'), 'utf8')
  if (!doc.includes(`schema hash \`${schema.schemaHash}\``)) throw new Error('docs/FEATURES.md is not the addon\'s schema: cargo run -p refiner-cli -- features > docs/FEATURES.md')
  const above = new Float64Array(N).fill(NaN)
  for (const [, j, name, x] of doc.matchAll(/^\| (\d+) \| `([^`]+)` \|[^|]*\| evidence \(> ([^)]+)\) \|/gm)) {
    if (FEATURES[j]?.name !== name) throw new Error(`docs/FEATURES.md names feature ${j} ${name}`)
    above[j] = Number(x)
  }
  FEATURES.forEach((f, j) => {
    if (f.evidence === Number.isNaN(above[j])) throw new Error(`docs/FEATURES.md and the schema disagree on whether ${f.name} is evidence`)
  })
  return above
}
const ACTIVE_ABOVE = evidenceThresholds()
/** Per head, its evidence features in schema order. */
const HEAD_EVIDENCE = THREATS.map((t) => FEATURES.flatMap((f, j) => (f.heads.includes(t) && f.evidence ? [j] : [])))
const threatEvidence = (raw, k) => HEAD_EVIDENCE[k].filter((j) => raw[j] > ACTIVE_ABOVE[j])
const BOT = THREATS.indexOf('bot')
const ATTACK = THREATS.indexOf('attack')

// Server-side facts that a person is real, as policy.rs lists them: conjunctions of (feature, least raw value).
const facts = (...conjunctions) => conjunctions.map((all) => all.map(([name, min]) => [index(name), min]))
const ACCOUNT = facts([['memory.good_outcomes', 0.5], ['context.account_age_days', 7]], [['context.logged_in', 1], ['context.account_age_days', 7]], [['context.email_verified', 1], ['context.account_age_days', 7]])
const BROWSING = facts([['context.session_age_s', 120], ['context.pages_seen', 2]])
const SESSION = facts([['context.logged_in', 1]], [['context.session_age_s', 60]], [['context.pages_seen', 2]], [['memory.good_outcomes', 0.5]])
// What lifting a denial needs beyond the account alone (an email or a shield verdict): for a bot
// verdict, the account or a browsing session; for the others, also the session.
const LIFT_BOT = [...ACCOUNT, ...BROWSING]
const LIFT_OTHER = [...ACCOUNT, ...BROWSING, ...SESSION]
const ALLOWED_BOT = index('rules.bot_allowed_named')
const VERIFIED_BOT = index('rules.bot_verified')
const PROBE = index('payload.probe')
// What an API's own clients are (policy.rs API_CLIENT): no bot evidence on the api profile.
const API_CLIENT = ['ua.http_library', 'headers.missing_user_agent', 'headers.library_defaults'].map(index)
const [HTTP_LIBRARY, KNOWN_CRAWLER] = ['ua.http_library', 'ua.known_crawler'].map(index)
const IMPLAUSIBLE = index('context.implausible')
const SCANNED = index('payload.values')
const SUSPICIOUS_VALUES = index('payload.suspicious')
const DECLARED = ['ua.not_browser', 'ua.known_crawler', 'ua.unknown_bot', 'ua.http_library', 'ua.automation', 'ua.integration', 'headers.missing_user_agent'].map(index)
const INCOMPLETE = index('payload.incomplete')
const CHALLENGE_ONLY = ['headers.hints_mismatch', 'headers.library_defaults'].map(index)
const PAYLOAD_FEATURES = new Set(PAYLOAD.map(([, j]) => j))
const JUDGED = [KIND.BOT, KIND.SHIELD, KIND.RATE_LIMIT, KIND.EMAIL].reduce((m, k) => m | (1 << k), 0)
const MAX_EVIDENCE = 4

const [ALLOW, CHALLENGE, DENY_LEVEL] = [0, 1, 2]
const CONCLUSIONS = schema.output.conclusions
for (const [i, name] of ['ALLOW', 'CHALLENGE', 'DENY'].entries()) if (CONCLUSIONS[i] !== name) throw new Error(`the addon's conclusions are ${CONCLUSIONS}`)
const basis = (name) => (schema.output.bases.includes(name) ? name : (() => { throw new Error(`the addon has no basis ${name}`) })())
const [RULES, LIFTED, ESCALATED, KEPT_UNREADABLE, KEPT_DECLARED_BOT, KEPT_PAYLOAD, KEPT_NO_EVIDENCE] = ['RULES', 'LIFTED', 'ESCALATED', 'KEPT_UNREADABLE', 'KEPT_DECLARED_BOT', 'KEPT_PAYLOAD', 'KEPT_NO_EVIDENCE'].map(basis)

/** The rules' conclusion as a level, and which rule kinds denied (RulesView::of). */
function rulesView(nums) {
  let deniedBy = 0
  const kept = Math.min(nums[S.ResultCount], L.maxResults)
  for (let i = 0; i < kept; i++) {
    const r = L.resultsBase + i * L.resultStride
    if (nums[r + 2] === DENY && nums[r + 1] !== DRY_RUN && nums[r + 1] !== NOT_RUN) deniedBy |= 1 << (KIND_CODES.has(nums[r]) ? nums[r] : KIND.UNKNOWN)
  }
  if (deniedBy === 0 && KIND_CODES.has(nums[S.ReasonKind])) deniedBy = 1 << nums[S.ReasonKind]
  const c = nums[S.Conclusion]
  return { prior: c === DENY ? DENY_LEVEL : c === CODES.conclusion.CHALLENGE ? CHALLENGE : ALLOW, deniedBy }
}

class Policy {
  constructor(thresholds, profile) {
    this.t = thresholds
    this.api = profile === 'api'
  }

  level(p, k) {
    return p[k] >= this.t.deny[k] ? DENY_LEVEL : p[k] >= this.t.challenge[k] ? CHALLENGE : ALLOW
  }

  /** [level, basis, evidence feature indices]. */
  decide(p, raw, rules) {
    return rules.prior === ALLOW ? this.escalate(p, raw) : this.judgeDenial(p, raw, rules)
  }

  escalate(p, raw) {
    let best = [ALLOW, RULES, []]
    for (let k = 0; k < HEADS; k++) {
      const evidence = threatEvidence(raw, k).filter((j) => !(this.api && k === BOT && (API_CLIENT.includes(j) || (j === KNOWN_CRAWLER && raw[HTTP_LIBRARY] > 0))))
      // A header inconsistency alone only challenges.
      const level = evidence.every((j) => CHALLENGE_ONLY.includes(j)) ? Math.min(this.level(p, k), CHALLENGE) : this.level(p, k)
      // A bot the app's own rule allowed by name (a search engine, a preview) is its choice.
      if (level <= best[0] || (k === BOT && raw[ALLOWED_BOT] > 0)) continue
      if (evidence.length) best = [level, ESCALATED, evidence]
    }
    // A half-confirmed probe is challenged, never on the api profile nor for a bot the rule allowed.
    if (best[0] === ALLOW && !this.api && raw[PROBE] > 0 && raw[ALLOWED_BOT] === 0 && raw[VERIFIED_BOT] === 0) best = [CHALLENGE, ESCALATED, [PROBE]]
    return best
  }

  judgeDenial(p, raw, { prior, deniedBy }) {
    const denied = (kind) => (deniedBy & (1 << KIND[kind])) !== 0
    if (deniedBy === 0 || (deniedBy & ~JUDGED) !== 0) return [prior, KEPT_UNREADABLE, []]
    if (denied('BOT')) {
      const declared = DECLARED.filter((j) => raw[j] > 0)
      if (declared.length) return [prior, KEPT_DECLARED_BOT, declared]
    }
    const shield = denied('SHIELD')
    if (shield) {
      // A near miss counts here: nothing else can clear what the shield saw.
      const payload = threatEvidence(raw, ATTACK).filter((j) => PAYLOAD_FEATURES.has(j))
      if (raw[SUSPICIOUS_VALUES] > 0) payload.push(SUSPICIOUS_VALUES)
      if (payload.length) return [prior, KEPT_PAYLOAD, payload]
      // The analysis can find text benign only when it was given all of it.
      if (raw[SCANNED] === 0 || raw[INCOMPLETE] > 0) return [prior, KEPT_NO_EVIDENCE, []]
    }
    // Once the analysis cleared a text the shield flagged, the attack head holds only the shield's
    // own verdict: the account decides instead.
    let model = ALLOW
    for (let k = 0; k < HEADS; k++) if (!(k === ATTACK && shield)) model = Math.max(model, this.level(p, k))
    // A challenge proves a person, not their intent: a denial the attack head doubts is kept.
    if (model === DENY_LEVEL || (!shield && this.level(p, ATTACK) > ALLOW)) return [prior, RULES, []]
    const needed = denied('EMAIL') || shield ? ACCOUNT : denied('BOT') ? LIFT_BOT : LIFT_OTHER
    const met = raw[IMPLAUSIBLE] === 0 && needed.find((all) => all.every(([j, min]) => raw[j] >= min))
    if (!met) return [prior, KEPT_NO_EVIDENCE, []]
    return model < prior ? [model, LIFTED, met.map(([j]) => j)] : [prior, RULES, []]
  }
}

/** `new JsRefiner({ profile }).refine(decision, input)`: the addon's refine with memory off, in JS. */
export class JsRefiner {
  #nums = new Float64Array(WIDTH)
  #raw = new Float64Array(N)
  #values = new Float32Array(N)
  #scores = new Float64Array(HEADS)
  #model
  #policy

  constructor({ profile = 'default', model = defaultModel } = {}) {
    const t = model.thresholds[profile]
    if (!t) throw new Error(`model ${model.version} has no thresholds for profile '${profile}'`)
    this.#model = model
    this.#policy = new Policy(t, profile)
  }

  refine(decision, input) {
    const texts = pack(this.#nums, decision, input)
    extract(this.#nums, texts, this.#raw, this.#values)
    const p = this.#model.score(this.#values, this.#scores)
    const [level, basis, evidence] = this.#policy.decide(p, this.#raw, rulesView(this.#nums))
    return {
      conclusion: CONCLUSIONS[level],
      basis,
      score: Math.max(0, ...p),
      threats: Object.fromEntries(THREATS.map((t, k) => [t, p[k]])),
      evidence: evidence.slice(0, MAX_EVIDENCE).map((j) => FEATURES[j].name),
    }
  }
}

// ---- The check against the addon (benches/bench.mjs and __test__/js-pipeline.test.mjs) ----

const HEAD_PAYLOAD = PAYLOAD.filter(([f]) => f.heads.length > 0).map(([, j]) => j)
const NOT_PAYLOAD = FEATURES.flatMap((f, j) => (f.group === 'payload' ? [] : [j]))
const findsPayload = (values) => HEAD_PAYLOAD.some((j) => values[j] !== 0)

/**
 * Compares this pipeline with the addon (memory off: this one has none) on `n` simulated requests
 * in turn under each profile: every feature but the payload ones exactly, on every request; the
 * conclusion, basis, evidence and probabilities (within `tolerance`) on the requests where neither
 * the addon nor the approximation finds a payload. Returns the counts and the first mismatches.
 * `model` and `features` replace the pipeline's own, to check that the comparison catches a change.
 */
export async function compareWithAddon({ n, seed, profiles = ['default'], tolerance = 1e-5, model = defaultModel, features = featureValues }) {
  const { simulate } = await import('../scripts/simulate/index.mjs')
  const { Refiner } = require('../index.js')
  const addon = profiles.map((profile) => new Refiner({ profile, memory: false }))
  const js = profiles.map((profile) => new JsRefiner({ profile, model }))
  if (addon[0].modelVersion !== defaultModel.version) throw new Error(`target/test-build has model ${defaultModel.version}, the addon ${addon[0].modelVersion}: run npm run build:test`)
  const nums = new Float64Array(WIDTH)
  const r = { requests: 0, compared: 0, addonPayload: 0, approximationAlso: 0, approximationOnly: 0, maxDiff: 0, mismatches: [] }
  const mismatch = (text) => r.mismatches.length < 10 && r.mismatches.push(`request ${r.requests}: ${text}`)
  for await (const s of simulate({ n, seed, pool: 'eval' })) {
    if (s.event) continue
    const p = r.requests++ % profiles.length
    const texts = pack(nums, s.decision, s)
    const want = testBuild.featureValues(nums, texts)
    const got = features(nums, texts)
    for (const j of NOT_PAYLOAD) if (want[j] !== got[j]) mismatch(`${FEATURES[j].name}: addon ${want[j]}, JS ${got[j]}`)
    if (findsPayload(want)) {
      r.addonPayload++
      r.approximationAlso += findsPayload(got)
      continue
    }
    if (findsPayload(got)) {
      r.approximationOnly++
      continue
    }
    r.compared++
    const a = addon[p].refine(s.decision, s)
    const b = js[p].refine(s.decision, s)
    const evidence = a.reasons.filter((x) => x.evidence).map((x) => x.feature)
    if (a.conclusion !== b.conclusion || a.basis !== b.basis || `${evidence}` !== `${b.evidence}`) mismatch(`addon ${a.conclusion} ${a.basis} [${evidence}], JS ${b.conclusion} ${b.basis} [${b.evidence}]`)
    for (const t of THREATS) r.maxDiff = Math.max(r.maxDiff, Math.abs(a.threats[t] - b.threats[t]))
  }
  if (r.maxDiff > tolerance) mismatch(`probabilities differ by up to ${r.maxDiff}`)
  return r
}
