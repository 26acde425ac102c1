'use strict'
// Reads a rule decision (an Arcjet class instance or the same shape as plain JSON), a request and
// the app context by duck typing, and packs them into a reused Float64Array in the layout the
// native schema defines, plus the few strings that need native analysis. JIT-compiled property
// reads cost nanoseconds here; the same reads through N-API would cost ~0.2 µs each.
// Mirrors crates/refiner-core/src/decision/json_reader.rs; a test checks they agree.
const { schema, codes, lookup, compiled } = require('./schema.js')

const L = schema.input
const S = L.slots
const KIND = codes.ruleKind
const [UNKNOWN, RATE_LIMIT, BOT, SHIELD, EMAIL, SENSITIVE_INFO] = ['UNKNOWN', 'RATE_LIMIT', 'BOT', 'SHIELD', 'EMAIL', 'SENSITIVE_INFO'].map(KIND)
const METHOD_OTHER = L.methods.length
const MAX_TEXT = L.maxTextBytes
const CONCLUSION_EXPECTED = `one of ${L.conclusions.join(', ')}`
const STATE_EXPECTED = `one of ${L.states.join(', ')}`
const ROUTE_EXPECTED = `one of ${L.routes.join(', ')}`
const A = 3 // per-result offsets after kind, state, conclusion

// Marks the TypeErrors this module throws, so errors from the caller's getters can be told apart.
const OURS = Symbol('request-refiner pack error')
// Which part of the arguments is being read: a constant prefix and a result index. Readers pass
// constant field names, and a path is built only to name a failure, so a read allocates nothing.
let reading = ''
let readingIndex = -1
const here = () => (readingIndex >= 0 ? `${reading}[${readingIndex}]` : reading)
const fail = (field, expected) => {
  const e = new TypeError(`${here()}${field} must be ${expected}`)
  e[OURS] = true
  throw e
}
const isObject = (v) => typeof v === 'object' && v !== null
const objectOrNull = (v, field) => (v == null ? null : isObject(v) ? v : fail(field, 'an object'))
const str = (v, field) => (v == null ? '' : typeof v === 'string' ? v : fail(field, 'a string'))
const num = (v, field) => (v == null ? 0 : typeof v === 'number' && Number.isFinite(v) ? v : fail(field, 'a number'))
const bool = (v, field) => (v == null ? 0 : typeof v === 'boolean' ? +v : fail(field, 'a boolean'))
const len = (v, field) => (v == null ? 0 : Array.isArray(v) ? v.length : fail(field, 'an array'))
const coded = (v, table, field, expected) => {
  if (v == null) return 0
  if (typeof v !== 'string') fail(field, 'a string')
  return table(v) ?? fail(field, expected)
}
// Texts are joined with \0 and cut to what native analysis reads, so 10 MB headers cost nothing.
const text = (s) => {
  if (s.length > MAX_TEXT) s = s.slice(0, MAX_TEXT)
  return s.includes('\0') ? s.replaceAll('\0', ' ') : s
}

function readReason(reason, field) {
  if (reason == null) return 0
  if (!isObject(reason)) fail(field, 'an object')
  const type = reason.type
  if (type == null) return 0
  if (typeof type !== 'string') fail(`${field}.type`, 'a string')
  return KIND(type) ?? UNKNOWN
}

function readResult(nums, at, r) {
  if (!isObject(r)) fail('', 'an object')
  nums[at + 1] = coded(r.state, codes.state, '.state', STATE_EXPECTED)
  nums[at + 2] = coded(r.conclusion, codes.conclusion, '.conclusion', CONCLUSION_EXPECTED)
  const reason = r.reason
  const kind = readReason(reason, '.reason')
  nums[at] = kind
  switch (kind) {
    case RATE_LIMIT:
      nums[at + A] = num(reason.max, '.reason.max')
      nums[at + A + 1] = num(reason.remaining, '.reason.remaining')
      nums[at + A + 2] = num(reason.window, '.reason.window')
      nums[at + A + 3] = num(reason.reset, '.reason.reset')
      break
    case BOT:
      nums[at + A] = len(reason.denied, '.reason.denied')
      nums[at + A + 1] = len(reason.allowed, '.reason.allowed')
      nums[at + A + 2] = bool(reason.verified, '.reason.verified')
      nums[at + A + 3] = bool(reason.spoofed, '.reason.spoofed')
      break
    case SHIELD:
      nums[at + A] = bool(reason.shieldTriggered, '.reason.shieldTriggered')
      break
    case EMAIL: {
      const types = reason.emailTypes
      if (types == null) break
      if (!Array.isArray(types)) fail('.reason.emailTypes', 'an array')
      let mask = 0
      for (let i = 0; i < types.length; i++) {
        const t = types[i]
        if (typeof t !== 'string') fail(`.reason.emailTypes[${i}]`, 'a string')
        mask |= codes.emailType(t) ?? 0
      }
      nums[at + A] = mask
      break
    }
    case SENSITIVE_INFO:
      nums[at + A] = len(reason.denied, '.reason.denied')
      nums[at + A + 1] = len(reason.allowed, '.reason.allowed')
      break
  }
}

// Arcjet's ip flags are methods over non-enumerable `_isX` fields; logs carry booleans.
function ipFlag(ip, v, name) {
  const method = typeof v === 'function'
  if (method) v = v.call(ip)
  if (v == null) return 0
  if (typeof v === 'boolean') return +v
  return fail(method ? `.${name}()` : `.${name}`, 'a boolean')
}

/** Packs the decision into `nums`; returns the first fingerprint Arcjet computed for a rule result ('' when none). */
function packDecision(nums, d) {
  reading = 'decision'
  if (!isObject(d)) fail('', 'an object')
  nums[S.DecisionPresent] = 1
  nums[S.Conclusion] = coded(d.conclusion, codes.conclusion, '.conclusion', CONCLUSION_EXPECTED)
  nums[S.ReasonKind] = readReason(d.reason, '.reason')
  reading = 'decision.ip'
  const ip = objectOrNull(d.ip, '')
  if (ip) {
    let present = 0
    for (const k in ip) {
      if (ip[k] != null) {
        present = 1
        break
      }
    }
    nums[S.IpPresent] = present
    // Named loads, each its own inline cache: a name that varies in a loop is a megamorphic load.
    nums[S.IpHosting] = ipFlag(ip, ip.isHosting, 'isHosting')
    nums[S.IpVpn] = ipFlag(ip, ip.isVpn, 'isVpn')
    nums[S.IpProxy] = ipFlag(ip, ip.isProxy, 'isProxy')
    nums[S.IpTor] = ipFlag(ip, ip.isTor, 'isTor')
    nums[S.IpRelay] = ipFlag(ip, ip.isRelay, 'isRelay')
    nums[S.IpAbuser] = ipFlag(ip, ip.isAbuser, 'isAbuser')
  }
  reading = 'decision.results'
  const results = d.results
  if (results == null) return ''
  if (!Array.isArray(results)) fail('', 'an array')
  nums[S.ResultCount] = results.length
  const kept = Math.min(results.length, L.maxResults)
  let fingerprint = ''
  for (let i = 0; i < kept; i++) {
    readingIndex = i
    const r = results[i]
    readResult(nums, L.resultsBase + i * L.resultStride, r)
    if (!fingerprint && typeof r.fingerprint === 'string') fingerprint = r.fingerprint
  }
  readingIndex = -1
  return fingerprint
}

/** Joins string parts until native analysis has enough, so huge arrays cost nothing. */
function joinCapped(parts, sep, field) {
  let out = ''
  for (let i = 0; i < parts.length && out.length <= MAX_TEXT; i++) {
    const part = parts[i]
    if (typeof part !== 'string' && part != null) fail(`${field}[${i}]`, 'a string')
    out += (i ? sep : '') + (part ?? '')
  }
  return out
}

/** Header `name`'s value `v` as a string (arrays joined); undefined when absent. */
function headerValue(v, name, viaGet) {
  if (v == null) return undefined
  if (typeof v === 'string') return v
  const field = viaGet ? `.get("${name}")` : `["${name}"]`
  return Array.isArray(v) ? joinCapped(v, ', ', field) : fail(field, 'a string')
}

// What the packer reads of each header it looks at: its flag's slot, and whether it is a text.
const UA = 'user-agent'
const CH_UA = 'sec-ch-ua'
const LANG = 'accept-language'
const WANTED = lookup([...L.headerFlags, UA, CH_UA].map((name) => [name, L.headerFlags.indexOf(name)]))

function bodyText(b) {
  if (b == null) return ''
  if (typeof b === 'string') return b
  if (!isObject(b)) fail('.body', 'a string or an object')
  const parts = []
  let size = 0
  for (const k in b) {
    const v = b[k]
    if (typeof v !== 'string') continue
    parts.push(v)
    if ((size += v.length) > MAX_TEXT) break
  }
  return parts.join('\n')
}

const NO_REQUEST = '\0\0\0\0\0\0'

/** Packs a request into `nums`; returns its \0-joined texts (the first 7 fields). */
function packRequest(nums, r) {
  if (r == null) return NO_REQUEST
  reading = 'request'
  if (!isObject(r)) fail('', 'an object')
  const method = str(r.method, '.method')
  if (method) nums[S.Method] = codes.method(method) ?? codes.method(method.toUpperCase()) ?? METHOD_OTHER
  let ua
  let chUa
  let lang
  reading = 'request.headers'
  const h = objectOrNull(r.headers, '')
  if (h && typeof h.get === 'function') {
    // A fetch `Headers` or a `Map`: its own lookup (case-insensitive for Headers).
    let count = 0
    if (typeof h.forEach === 'function') h.forEach(() => count++)
    nums[S.HeaderCount] = count
    const flags = L.headerFlags
    for (let i = 0; i < flags.length; i++) nums[L.headerBase + i] = headerValue(h.get(flags[i]), flags[i], true) === undefined ? 0 : 1
    ua = headerValue(h.get(UA), UA, true)
    chUa = headerValue(h.get(CH_UA), CH_UA, true)
    lang = headerValue(h.get(LANG), LANG, true)
  } else if (h) {
    // A plain object (Node's, lowercase): one pass over its keys, each looked up in WANTED.
    // Looking each wanted name up in the object instead is a keyed load whose name varies, which
    // V8 serves from its megamorphic cache at several times the cost.
    let count = 0
    for (const key in h) {
      count++
      const c = key.charCodeAt(0)
      const name = c >= 65 && c <= 90 ? key.toLowerCase() : key
      const flag = WANTED(name)
      if (flag === undefined) continue
      const v = headerValue(h[key], key, false)
      if (flag >= 0) nums[L.headerBase + flag] = v === undefined ? 0 : 1
      if (name === UA) ua = v
      else if (name === CH_UA) chUa = v
      else if (name === LANG) lang = v
    }
    nums[S.HeaderCount] = count
  }
  reading = 'request'
  return `${text(ua ?? '')}\0${text(chUa ?? '')}\0${text(str(r.path, '.path'))}\0${text(str(r.email, '.email'))}\0${text(bodyText(r.body))}\0${text(str(r.ip, '.ip'))}\0${text(lang ?? '')}`
}

const [ACCOUNT_ID, SESSION_ID, FINGERPRINT] = L.identityFields.map((key) => `.${key}`)

/** Context field `i`'s value `v` as packed (NaN when absent: the model's missing value). */
function contextField(v, i) {
  if (v == null) return NaN
  const { key, flag } = L.contextFields[i]
  if (flag) return typeof v === 'boolean' ? +v : fail(`.${key}`, 'a boolean')
  return typeof v === 'number' && v >= 0 && v !== Infinity ? v : fail(`.${key}`, 'a finite number ≥ 0')
}

// Readers generated from the schema's field names, so each load has a constant name and its own
// inline cache: `c[key]` in a loop over the names is one megamorphic load (~15 ns each here).
const property = (key) => `c[${JSON.stringify(key)}]`
const readContextFields = compiled(
  ['c', 'nums', 'field'],
  L.contextFields.map(({ key }, i) => `nums[${L.contextBase + i}] = field(${property(key)}, ${i})`).join('\n'),
  (c, nums, field) => L.contextFields.forEach(({ key }, i) => (nums[L.contextBase + i] = field(c[key], i))),
)
const readIdentity = compiled(['c'], `return [${L.identityFields.map(property).join(', ')}]`, (c) => L.identityFields.map((key) => c[key]))

/** Packs the context into `nums`; returns its identity texts (accountId, sessionId, fingerprint). */
function packContext(nums, c, arcjetFp) {
  if (c == null) return `\0\0${text(arcjetFp)}`
  reading = 'context'
  if (!isObject(c)) fail('', 'an object')
  nums[S.Route] = coded(c.route, codes.route, '.route', ROUTE_EXPECTED)
  readContextFields(c, nums, contextField)
  const [accountId, sessionId, fingerprint] = readIdentity(c)
  const fp = str(fingerprint, FINGERPRINT) || arcjetFp
  return `${text(str(accountId, ACCOUNT_ID))}\0${text(str(sessionId, SESSION_ID))}\0${text(fp)}`
}

/** `input.at` (a Date or ms since the Unix epoch) in ms; 0 when not given (the refiner's clock). */
function packAt(at) {
  // Arrays inherit an `at` method; only a value counts.
  if (at == null || typeof at === 'function') return 0
  const ms = at instanceof Date ? at.getTime() : at
  return typeof ms === 'number' && ms > 0 && ms < Infinity ? ms : fail('.at', 'a Date or a time in ms since the Unix epoch')
}

/**
 * Packs `decision` and `input` into `nums` (length `schema.input.width`) and returns the texts.
 * Throws a TypeError naming the field on any wrong type; never mutates its arguments.
 */
function pack(nums, decision, input) {
  nums.fill(0)
  nums.fill(NaN, L.contextBase, L.resultsBase)
  reading = 'decision'
  readingIndex = -1
  try {
    const arcjetFp = decision != null ? packDecision(nums, decision) : ''
    reading = 'input'
    if (input == null) return `${NO_REQUEST}\0${packContext(nums, null, arcjetFp)}`
    if (!isObject(input)) fail('', 'an object')
    nums[S.At] = packAt(input.at)
    const request = packRequest(nums, input.request)
    reading = 'input'
    return `${request}\0${packContext(nums, input.context, arcjetFp)}`
  } catch (e) {
    if (e instanceof TypeError && e[OURS]) throw e
    throw new TypeError(`${here()} could not be read: ${describe(e)}`, { cause: e })
  }
}

/** A thrown value as text, whatever it is (a Symbol, a Proxy, an object whose toString throws). */
function describe(e) {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : typeof e === 'symbol' ? e.toString() : String(e)
  } catch {
    return 'a value that cannot be printed'
  }
}

module.exports = { pack, WIDTH: L.width }
