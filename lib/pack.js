'use strict'
// Reads a rule decision (an Arcjet class instance or the same shape as plain JSON), a request and
// the app context by duck typing, and packs them into a reused Float64Array in the layout the
// native schema defines, plus the strings that need native analysis: the fixed text fields, every
// header pair and every string of the body. JIT-compiled property reads cost nanoseconds here;
// the same reads through N-API would cost ~0.2 µs each.
// Mirrors crates/refiner-core/src/decision/json_reader.rs; a test checks they agree.
const { schema, codes, compiled } = require('./schema.js')
const zlib = require('node:zlib')

const L = schema.input
const S = L.slots
const KIND = codes.ruleKind
const [UNKNOWN, RATE_LIMIT, BOT, SHIELD, EMAIL, SENSITIVE_INFO] = ['UNKNOWN', 'RATE_LIMIT', 'BOT', 'SHIELD', 'EMAIL', 'SENSITIVE_INFO'].map(KIND)
const METHOD_OTHER = codes.method('OTHER')
const MAX_TEXT = L.maxTextBytes
const HALF_BODY = L.maxBodyBytes / 2
const HALF_NODES = L.maxBodyNodes / 2
const oneOf = (table) => `one of ${Object.keys(table).join(', ')}`
const CONCLUSION_EXPECTED = oneOf(L.codes.conclusion)
const STATE_EXPECTED = oneOf(L.codes.state)
const ROUTE_EXPECTED = oneOf(L.codes.route)
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
// A field of the \0-joined texts: `\0` inside a value would spill into the next field.
const clean = (s) => (s.includes('\0') ? s.replaceAll('\0', ' ') : s)
// Fixed fields and header values are cut to what native analysis reads, so 10 MB headers cost nothing.
const text = (s) => clean(s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s)

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

const HEADERS_EXPECTED = 'an object, a Headers, a Map, or an array of [name, value] pairs or of names and values'
// How a header is named in an error, from its index or name: built only on failure (building it
// for every header, JSON.stringify and all, was half the cost of a pack).
const AT_INDEX = (i) => `[${i}]`
const AT_GET = (name) => `.get(${JSON.stringify(String(name))})`
const AT_KEY = (key) => `[${JSON.stringify(key)}]`

/**
 * The header pairs, `\0`-joined after a leading `\0`, and how many: from a plain object (Node's
 * `IncomingHttpHeaders`), a WHATWG `Headers` or a `Map` (anything with `forEach` and `get`), or an
 * array (`[name, value]` pairs, or Node's flat `rawHeaders`).
 */
function packHeaders(h) {
  let out = ''
  let n = 0
  const max = L.maxHeaderPairs
  // Set once a header does not fit under the cap: it and every later one are left unread.
  let full = false
  let path = AT_INDEX
  // An array value is a repeated header: one pair per value, as in Node's rawHeaders, so that a
  // second user agent counts as one (joined, it read as one browser's). A header whose values do
  // not all fit is left out whole: its first value alone would hide the repetition.
  const add = (name, v, at) => {
    if (typeof name !== 'string') fail(path(at), 'a header name (a string)')
    if (v == null || full) return
    if (typeof v === 'string') return emit(name, v)
    if (!Array.isArray(v)) fail(path(at), 'a string')
    let parts = 0
    for (let i = 0; i < v.length && n + parts <= max; i++) {
      if (typeof v[i] === 'string') parts++
      else if (v[i] != null) fail(`${path(at)}[${i}]`, 'a string')
    }
    if (n + parts > max) full = true
    else for (let i = 0; i < v.length; i++) if (v[i] != null) emit(name, v[i])
  }
  const emit = (name, v) => {
    if (n >= max) {
      full = true
      return
    }
    const value = text(v)
    if (contentType === '' && name.length === 12 && name.toLowerCase() === 'content-type') contentType = value
    else if (name.length === 16 && name.toLowerCase() === 'content-encoding') contentEncoding = value
    out += `\0${text(name)}\0${value}`
    n++
  }
  if (Array.isArray(h)) {
    if (h.length > 0 && Array.isArray(h[0])) {
      for (let i = 0; i < h.length; i++) {
        const pair = h[i]
        if (!Array.isArray(pair) || pair.length !== 2) fail(`[${i}]`, 'a [name, value] pair')
        add(pair[0], pair[1], i)
      }
    } else {
      if (h.length % 2 !== 0) fail('', HEADERS_EXPECTED)
      for (let i = 0; i < h.length; i += 2) add(h[i], h[i + 1], i + 1)
    }
  } else if (typeof h.forEach === 'function' && typeof h.get === 'function') {
    // A fetch `Headers` or a `Map`: both call back with (value, name).
    path = AT_GET
    h.forEach((v, name) => add(name, v, name))
  } else if (typeof h.forEach === 'function' || typeof h.get === 'function') {
    fail('', `${HEADERS_EXPECTED} (it has only one of forEach and get)`)
  } else {
    path = AT_KEY
    for (const key in h) add(key, h[key], key)
  }
  return [out, n]
}

/**
 * The body's strings: every string value and key at any depth (depth first, within half the node
 * and byte budgets from the start and, when that does not reach the end, half from the end), or a
 * raw string (its head and tail when longer than the budget). Returns [fields, count, oversized].
 */
function packBody(b) {
  if (b == null) return ['', 0, 0]
  if (typeof b === 'string') return rawBody(b)
  if (ArrayBuffer.isView(b)) return bufferBody(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  if (!isObject(b)) fail('.body', 'a string, an object, an array or a Buffer')
  const front = walk(b, false)
  if (!front.cut) return [joined(front.fields), front.fields.length, 0]
  const fields = front.fields.concat(walk(b, true).fields.reverse())
  return [joined(fields), fields.length, 1]
}

// One join: appending each field to a string made a rope of thousands of pieces, whose
// flattening when N-API read it cost more than the join (a 64 KB body packs and flattens ~35 µs
// faster).
const joined = (fields) => (fields.length ? `\0${fields.join('\0')}` : '')

function rawBody(s) {
  if (s.length === 0) return ['', 0, 0]
  if (s.length <= 2 * HALF_BODY) return [`\0${clean(s)}`, 1, 0]
  return [`\0${clean(s.slice(0, HALF_BODY))}\0${clean(s.slice(-HALF_BODY))}`, 2, 1]
}

/** The request's Content-Type, seen while packing its headers, for a raw body's charset. */
let contentType = ''
/** The request's Content-Encoding, seen while packing its headers, for a raw body's bytes. */
let contentEncoding = ''

/**
 * Raw body bytes as the app reads them: inflated when they are what their Content-Encoding says
 * (gzip, zlib deflate, brotli; at most two codings, as body-parser takes one), within the body
 * budget. A coding counts only when its stream spans every byte (the stream without its last
 * byte fails to decode): an empty stream with text after it (`?` is a whole brotli stream) is
 * read as the text it is. Bytes that do not decode were inflated by the app already (express.raw()
 * keeps the header) and are read as they are, and so is the rest once a coding fails. Bytes that
 * inflate past the budget (a zip bomb, or a body the app reads past it) are not read and say so
 * (`undefined`): a WAF's denial must not be lifted on text never seen.
 */
function inflated(buf) {
  const codings = contentEncoding.toLowerCase().split(',').map((c) => c.trim()).filter((c) => c && c !== 'identity')
  if (codings.length > 2) return buf
  const limit = { maxOutputLength: L.maxBodyBytes }
  let out = buf
  // Codings apply in order, so they come off in reverse.
  for (const c of codings.reverse()) {
    const decode = c === 'gzip' || c === 'x-gzip' ? zlib.gunzipSync : c === 'deflate' ? zlib.inflateSync : c === 'br' ? zlib.brotliDecompressSync : undefined
    if (!decode || out.length < 2) return out
    let whole
    try {
      whole = decode(out, limit)
    } catch (e) {
      if (e.code === 'ERR_BUFFER_TOO_LARGE') return undefined
      return out
    }
    try {
      decode(out.subarray(0, out.length - 1), limit)
      return out
    } catch {
      out = whole
    }
  }
  return out
}

/**
 * A raw body as bytes, decoded as the app's body parser decodes it: by its byte-order mark or the
 * zero bytes of UTF-16, else the Content-Type's charset (a JSON body in UTF-16 is still JSON to
 * Express), else UTF-8; whole when it fits, else its head and tail.
 */
function bufferBody(raw) {
  const buf = contentEncoding ? inflated(raw) : raw
  if (buf === undefined) return ['', 0, 1]
  let charset = 'utf-8'
  // A byte-order mark, else the zero bytes of ASCII text in UTF-16 (RFC 4627's detection).
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] && !buf[1] && buf[2] && !buf[3])) charset = 'utf-16le'
  else if ((buf[0] === 0xfe && buf[1] === 0xff) || (!buf[0] && buf[1] && !buf[2] && buf[3])) charset = 'utf-16be'
  else charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1] ?? charset
  let decoder
  try {
    decoder = new TextDecoder(charset)
  } catch {
    decoder = new TextDecoder('utf-8')
  }
  // Cut on an even byte, so a UTF-16 body's halves decode in step.
  const half = HALF_BODY * (decoder.encoding.startsWith('utf-16') ? 2 : 1)
  if (buf.length <= 2 * half) return rawBody(decoder.decode(buf))
  return [`\0${clean(decoder.decode(buf.subarray(0, half)))}\0${clean(decoder.decode(buf.subarray(buf.length - half)))}`, 2, 1]
}

/**
 * One direction of the body walk, with an explicit stack (a body 10,000 deep must not overflow):
 * its fields (backward: from the end), and whether it stopped short of the rest.
 */
function walk(root, backward) {
  const stack = [root]
  // Beside each entry of the stack, the key it is the value of (undefined for keys and array
  // items): a query operator's or prototype's key is read with its owner, as \`qs\` writes them
  // (\`password[$ne]\`, \`__proto__[isAdmin]\`).
  const owners = [undefined]
  const fields = []
  let nodes = 0
  let bytes = 0
  let cut = false
  while (stack.length) {
    if (nodes >= HALF_NODES || bytes >= HALF_BODY) {
      cut = true
      break
    }
    nodes++
    const v = stack.pop()
    const owner = owners.pop()
    if (typeof v === 'string') {
      if (v.length === 0) continue
      const room = HALF_BODY - bytes
      const part = v.length <= room ? v : backward ? v.slice(-room) : v.slice(0, room)
      bytes += part.length
      if (part.length < v.length) cut = true
      fields.push(clean(part))
    } else if (isObject(v)) {
      if (Array.isArray(v)) {
        if (backward) for (let i = 0; i < v.length; i++) stack.push(v[i]), owners.push(undefined)
        else for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]), owners.push(undefined)
      } else {
        // A key is a string on the stack like a string value: it pops before its value (backward: after).
        const keys = Object.keys(v)
        // A prototype is written through an object (\`{"prototype": {…}}\`), not a string.
        const key = (k) => (owner !== undefined && (k[0] === '$' || (k === 'prototype' && isObject(v[k])) || owner === '__proto__') ? `${owner}[${k}]` : k)
        if (backward) for (let i = 0; i < keys.length; i++) stack.push(key(keys[i]), v[keys[i]]), owners.push(undefined, keys[i])
        else for (let i = keys.length - 1; i >= 0; i--) stack.push(v[keys[i]], key(keys[i])), owners.push(keys[i], undefined)
      }
    }
  }
  return { fields, cut }
}

/** Packs a request into `nums`; returns [its fixed fields, its header and body fields]. */
function packRequest(nums, r) {
  reading = 'request'
  if (!isObject(r)) fail('', 'an object')
  const method = str(r.method, '.method')
  if (method) nums[S.Method] = codes.method(method) ?? codes.method(method.toUpperCase()) ?? METHOD_OTHER
  reading = 'request.headers'
  contentType = ''
  contentEncoding = ''
  const h = r.headers
  let headers = ''
  if (h != null) {
    if (!isObject(h)) fail('', HEADERS_EXPECTED)
    const [fields, n] = packHeaders(h)
    headers = fields
    nums[S.HeaderPairs] = n
  }
  reading = 'request'
  const [body, n, oversized] = packBody(r.body)
  nums[S.BodyFields] = n
  nums[S.BodyOversized] = oversized
  return headers + body
}

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

// The fixed text fields, read where the schema says each comes from (`request.path`,
// `context.accountId`…), joined in its order: one reader compiled from that list.
const sourceOf = (name) => L.texts.find((t) => t.name === name).source
const FINGERPRINT = L.texts.findIndex((t) => t.source === 'context.fingerprint')
const readFixed = compiled(
  ['r', 'c', 'fp', 'read'],
  `return ${L.texts.map(({ source }, i) => {
    const [from, key] = source.split('.')
    const value = `read(${from === 'request' ? 'r' : 'c'}, ${JSON.stringify(key)}, ${JSON.stringify(`${from}`)})`
    return i === FINGERPRINT ? `(${value} || fp)` : value
  }).join(" + '\\0' + ")}`,
  (r, c, fp, read) => L.texts.map(({ source }, i) => {
    const [from, key] = source.split('.')
    const v = read(from === 'request' ? r : c, key, from)
    return i === FINGERPRINT ? v || fp : v
  }).join('\0'),
)
const readText = (o, key, from) => {
  if (o == null) return ''
  reading = from
  return text(str(o[key], `.${key}`))
}
if (sourceOf('fingerprint') !== 'context.fingerprint') throw new Error('schema: the fingerprint text must come from context.fingerprint')

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
    if (input == null) return readFixed(null, null, text(arcjetFp), readText)
    if (!isObject(input)) fail('', 'an object')
    nums[S.At] = packAt(input.at)
    const request = input.request
    const variable = request == null ? '' : packRequest(nums, request)
    reading = 'context'
    const c = objectOrNull(input.context, '')
    if (c) {
      nums[S.Route] = coded(c.route, codes.route, '.route', ROUTE_EXPECTED)
      readContextFields(c, nums, contextField)
    }
    return readFixed(request, c, text(arcjetFp), readText) + variable
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
