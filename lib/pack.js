'use strict'
// Reads a rule decision (an Arcjet class instance or the same shape as plain JSON), a request and
// the app context by duck typing, and packs them into a reused Float64Array in the layout the
// native schema defines, plus the few strings that need native analysis. JIT-compiled property
// reads cost nanoseconds here; the same reads through N-API would cost ~0.2 µs each.
// Mirrors crates/refiner-core/src/decision/json_reader.rs; a test checks they agree.
const { schema, codes } = require('./schema.js')

const L = schema.input
const S = L.slots
const UNKNOWN_KIND = codes.ruleKind.UNKNOWN
const KIND = codes.ruleKind
const METHOD_OTHER = L.methods.length
const MAX_TEXT = L.maxTextBytes
const CONCLUSION_EXPECTED = `one of ${L.conclusions.join(', ')}`
const STATE_EXPECTED = `one of ${L.states.join(', ')}`
const ROUTE_EXPECTED = `one of ${L.routes.join(', ')}`
const IP_FLAGS = [
  ['isHosting', S.IpHosting],
  ['isVpn', S.IpVpn],
  ['isProxy', S.IpProxy],
  ['isTor', S.IpTor],
  ['isRelay', S.IpRelay],
  ['isAbuser', S.IpAbuser],
]
const A = 3 // per-result offsets after kind, state, conclusion

// Marks the TypeErrors this module throws, so errors from the caller's getters can be told apart.
const OURS = Symbol('request-refiner pack error')
const fail = (path, expected) => {
  const e = new TypeError(`${path} must be ${expected}`)
  e[OURS] = true
  throw e
}
// Which part of the arguments is being read (a constant string and an index, so tracking it
// allocates nothing), to name it when the caller's own getters or proxies throw.
let reading = ''
let readingIndex = -1
const isObject = (v) => typeof v === 'object' && v !== null
const objectOrNull = (v, path) => (v == null ? null : isObject(v) ? v : fail(path, 'an object'))
const str = (v, path) => (v == null ? '' : typeof v === 'string' ? v : fail(path, 'a string'))
const num = (v, path) => (v == null ? 0 : typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'a number'))
const bool = (v, path) => (v == null ? 0 : typeof v === 'boolean' ? +v : fail(path, 'a boolean'))
const len = (v, path) => (v == null ? 0 : Array.isArray(v) ? v.length : fail(path, 'an array'))
const coded = (v, table, path, expected) => {
  if (v == null) return 0
  if (typeof v !== 'string') fail(path, 'a string')
  return table[v] ?? fail(path, expected)
}
// Texts are joined with \0 and cut to what native analysis reads, so 10 MB headers cost nothing.
const text = (s) => {
  if (s.length > MAX_TEXT) s = s.slice(0, MAX_TEXT)
  return s.includes('\0') ? s.replaceAll('\0', ' ') : s
}

function readReason(reason, path) {
  if (reason == null) return 0
  if (!isObject(reason)) fail(path, 'an object')
  const type = reason.type
  if (type == null) return 0
  if (typeof type !== 'string') fail(`${path}.type`, 'a string')
  return KIND[type] ?? UNKNOWN_KIND
}

function readResult(nums, at, r, path) {
  if (!isObject(r)) fail(path, 'an object')
  nums[at + 1] = coded(r.state, codes.state, `${path}.state`, STATE_EXPECTED)
  nums[at + 2] = coded(r.conclusion, codes.conclusion, `${path}.conclusion`, CONCLUSION_EXPECTED)
  const rp = `${path}.reason`
  const reason = r.reason
  const kind = readReason(reason, rp)
  nums[at] = kind
  switch (kind) {
    case KIND.RATE_LIMIT:
      nums[at + A] = num(reason.max, `${rp}.max`)
      nums[at + A + 1] = num(reason.remaining, `${rp}.remaining`)
      nums[at + A + 2] = num(reason.window, `${rp}.window`)
      nums[at + A + 3] = num(reason.reset, `${rp}.reset`)
      break
    case KIND.BOT:
      nums[at + A] = len(reason.denied, `${rp}.denied`)
      nums[at + A + 1] = len(reason.allowed, `${rp}.allowed`)
      nums[at + A + 2] = bool(reason.verified, `${rp}.verified`)
      nums[at + A + 3] = bool(reason.spoofed, `${rp}.spoofed`)
      break
    case KIND.SHIELD:
      nums[at + A] = bool(reason.shieldTriggered, `${rp}.shieldTriggered`)
      break
    case KIND.EMAIL: {
      const types = reason.emailTypes
      if (types == null) break
      if (!Array.isArray(types)) fail(`${rp}.emailTypes`, 'an array')
      let mask = 0
      for (let i = 0; i < types.length; i++) mask |= codes.emailType[str(types[i], `${rp}.emailTypes[${i}]`)] ?? 0
      nums[at + A] = mask
      break
    }
    case KIND.SENSITIVE_INFO:
      nums[at + A] = len(reason.denied, `${rp}.denied`)
      nums[at + A + 1] = len(reason.allowed, `${rp}.allowed`)
      break
  }
}

// Arcjet's ip flags are methods over non-enumerable `_isX` fields; logs carry booleans.
function ipFlag(ip, name) {
  const v = ip[name]
  if (typeof v === 'function') return bool(v.call(ip), `decision.ip.${name}()`)
  return bool(v, `decision.ip.${name}`)
}

/** Packs the decision into `nums`; returns the first fingerprint Arcjet computed for a rule result ('' when none). */
function packDecision(nums, d) {
  if (!isObject(d)) fail('decision', 'an object')
  nums[S.DecisionPresent] = 1
  reading = 'decision'
  nums[S.Conclusion] = coded(d.conclusion, codes.conclusion, 'decision.conclusion', CONCLUSION_EXPECTED)
  nums[S.ReasonKind] = readReason(d.reason, 'decision.reason')
  reading = 'decision.ip'
  const ip = objectOrNull(d.ip, 'decision.ip')
  if (ip) {
    let present = 0
    for (const k in ip) {
      if (ip[k] != null) {
        present = 1
        break
      }
    }
    nums[S.IpPresent] = present
    for (const [name, slot] of IP_FLAGS) nums[slot] = ipFlag(ip, name)
  }
  reading = 'decision.results'
  const results = d.results
  if (results == null) return ''
  if (!Array.isArray(results)) fail('decision.results', 'an array')
  nums[S.ResultCount] = results.length
  const kept = Math.min(results.length, L.maxResults)
  let fingerprint = ''
  for (let i = 0; i < kept; i++) {
    readingIndex = i
    const r = results[i]
    readResult(nums, L.resultsBase + i * L.resultStride, r, `decision.results[${i}]`)
    if (!fingerprint && typeof r.fingerprint === 'string') fingerprint = r.fingerprint
  }
  readingIndex = -1
  return fingerprint
}

/** Joins string parts until native analysis has enough, so huge arrays cost nothing. */
function joinCapped(parts, sep, path) {
  let out = ''
  for (let i = 0; i < parts.length && out.length <= MAX_TEXT; i++) out += (i ? sep : '') + str(parts[i], `${path}[${i}]`)
  return out
}

function headerValue(v, path) {
  if (v == null) return undefined
  if (typeof v === 'string') return v
  if (Array.isArray(v)) return joinCapped(v, ', ', path)
  return fail(path, 'a string')
}

/** Header lookup over a plain object (Node's lowercase keys), a fetch `Headers` or a `Map`. */
function headerReader(h) {
  if (typeof h.get === 'function') {
    let count = 0
    if (typeof h.forEach === 'function') h.forEach(() => count++)
    return [count, (name) => headerValue(h.get(name), `request.headers.get("${name}")`)]
  }
  let count = 0
  let mixedCase = false
  for (const k in h) {
    count++
    const c = k.charCodeAt(0)
    if (c >= 65 && c <= 90) mixedCase = true
  }
  if (mixedCase) {
    const lower = Object.create(null)
    for (const k in h) lower[k.toLowerCase()] = h[k]
    return [count, (name) => headerValue(lower[name], `request.headers["${name}"]`)]
  }
  return [count, (name) => headerValue(h[name], `request.headers["${name}"]`)]
}

function bodyText(b) {
  if (b == null) return ''
  if (typeof b === 'string') return b
  if (!isObject(b)) fail('request.body', 'a string or an object')
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
  if (!isObject(r)) fail('request', 'an object')
  reading = 'request'
  const method = str(r.method, 'request.method')
  if (method) nums[S.Method] = codes.method[method.toUpperCase()] ?? METHOD_OTHER
  let ua = ''
  let chUa = ''
  let lang = ''
  reading = 'request.headers'
  const h = objectOrNull(r.headers, 'request.headers')
  if (h) {
    const [count, get] = headerReader(h)
    nums[S.HeaderCount] = count
    const flags = L.headerFlags
    for (let i = 0; i < flags.length; i++) nums[L.headerBase + i] = get(flags[i]) === undefined ? 0 : 1
    ua = get('user-agent') ?? ''
    chUa = get('sec-ch-ua') ?? ''
    lang = get('accept-language') ?? ''
  }
  reading = 'request'
  return `${text(ua)}\0${text(chUa)}\0${text(str(r.path, 'request.path'))}\0${text(str(r.email, 'request.email'))}\0${text(bodyText(r.body))}\0${text(str(r.ip, 'request.ip'))}\0${text(lang)}`
}

const [ACCOUNT_ID, SESSION_ID, FINGERPRINT] = L.identityFields

/** Packs the context into `nums`; returns its identity texts (accountId, sessionId, fingerprint). */
function packContext(nums, c, arcjetFp) {
  if (c == null) return `\0\0${text(arcjetFp)}`
  if (!isObject(c)) fail('context', 'an object')
  reading = 'context'
  nums[S.Route] = coded(c.route, codes.route, 'context.route', ROUTE_EXPECTED)
  const fields = L.contextFields
  for (let i = 0; i < fields.length; i++) {
    const { key, flag } = fields[i]
    const v = c[key]
    if (v == null) continue
    if (flag) {
      if (typeof v !== 'boolean') fail(`context.${key}`, 'a boolean')
      nums[L.contextBase + i] = +v
    } else {
      if (typeof v !== 'number' || !(v >= 0) || v === Infinity) fail(`context.${key}`, 'a finite number ≥ 0')
      nums[L.contextBase + i] = v
    }
  }
  const fp = str(c[FINGERPRINT], `context.${FINGERPRINT}`) || arcjetFp
  return `${text(str(c[ACCOUNT_ID], `context.${ACCOUNT_ID}`))}\0${text(str(c[SESSION_ID], `context.${SESSION_ID}`))}\0${text(fp)}`
}

/** `input.at` (a Date or ms since the Unix epoch) in ms; 0 when not given (the refiner's clock). */
function packAt(at) {
  // Arrays inherit an `at` method; only a value counts.
  if (at == null || typeof at === 'function') return 0
  const ms = at instanceof Date ? at.getTime() : at
  return typeof ms === 'number' && ms > 0 && ms < Infinity ? ms : fail('input.at', 'a Date or a time in ms since the Unix epoch')
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
    if (!isObject(input)) fail('input', 'an object')
    nums[S.At] = packAt(input.at)
    const request = packRequest(nums, input.request)
    reading = 'input'
    return `${request}\0${packContext(nums, input.context, arcjetFp)}`
  } catch (e) {
    if (e instanceof TypeError && e[OURS]) throw e
    const where = readingIndex >= 0 ? `${reading}[${readingIndex}]` : reading
    throw new TypeError(`${where} could not be read: ${describe(e)}`, { cause: e })
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
