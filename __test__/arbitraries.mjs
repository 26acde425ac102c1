// fast-check arbitraries of hostile and malformed refine() arguments, shared by the bounded
// property test (property.test.mjs) and the long run (scripts/fuzz.mjs), and the property itself.
import assert from 'node:assert/strict'
import fc from 'fast-check'

const HUGE = 'x'.repeat(10 * 1024 * 1024)
const MANY = Array.from({ length: 100_000 }, (_, i) => (i % 2 ? 'BOT' : { type: 'RATE_LIMIT' }))
const LONE = ['\uD800', 'a\uDC00b', '\uDBFF\uDFFF\uD800', 'ok\0smuggled\0/etc/passwd']

/** Values of every JS kind, including the ones no field accepts. */
const weird = fc.oneof(
  fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, -0, 0, 1e308, -1, true, false, '', '__proto__', 'constructor', 'toString', HUGE, ...LONE),
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constant(Symbol('s')),
  fc.constant(() => 'fn'),
  fc.constant(MANY),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 5 }),
  fc.object({ maxDepth: 2, maxKeys: 4 }),
)

/** A value or a hostile one in its place. */
const or = (arb) => fc.oneof({ weight: 12, arbitrary: arb }, { weight: 1, arbitrary: weird })
const maybe = (record) => fc.record(record, { requiredKeys: [] })

const reason = maybe({
  type: or(fc.constantFrom('BOT', 'RATE_LIMIT', 'SHIELD', 'EMAIL', 'SENSITIVE_INFO', 'ERROR', 'FUTURE_RULE')),
  max: or(fc.nat()),
  remaining: or(fc.nat()),
  window: or(fc.nat()),
  reset: or(fc.nat()),
  denied: or(fc.array(fc.string(), { maxLength: 4 })),
  allowed: or(fc.array(fc.string(), { maxLength: 4 })),
  verified: or(fc.boolean()),
  spoofed: or(fc.boolean()),
  shieldTriggered: or(fc.boolean()),
  emailTypes: or(fc.array(fc.constantFrom('DISPOSABLE', 'FREE', 'INVALID', '__proto__', 'NEW'), { maxLength: 4 })),
})
const result = maybe({ state: or(fc.constantFrom('RUN', 'NOT_RUN', 'CACHED', 'DRY_RUN')), conclusion: or(fc.constantFrom('ALLOW', 'DENY', 'CHALLENGE', 'ERROR')), reason: or(reason) })
const flag = or(fc.oneof(fc.boolean(), fc.constant(() => true), fc.constant(() => false)))
const ip = maybe({ isHosting: flag, isVpn: flag, isProxy: flag, isTor: flag, isRelay: flag, isAbuser: flag, country: or(fc.string()) })
const decision = maybe({
  conclusion: or(fc.constantFrom('ALLOW', 'DENY', 'CHALLENGE', 'ERROR')),
  reason: or(reason),
  results: or(fc.array(or(result), { maxLength: 12 })),
  ip: or(ip),
})
const headerName = fc.constantFrom('user-agent', 'User-Agent', 'accept', 'cookie', 'sec-ch-ua', 'x-forwarded-for', '__proto__', 'constructor')
const headerPairs = fc.array(fc.tuple(headerName, fc.string()), { maxLength: 6 })
// Every shape a framework hands over (Node's object and rawHeaders, fetch Headers, a Map, pairs),
// and shapes no framework does.
const headers = fc.oneof(
  fc.dictionary(headerName, or(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })))),
  headerPairs,
  headerPairs.map((pairs) => pairs.flat()),
  headerPairs.map((pairs) => new Map(pairs)),
  headerPairs.map((pairs) => new Headers(pairs.filter(([n]) => !n.startsWith('_') && n !== 'constructor').map(([n, v]) => [n, v.replace(/[^\x20-\x7e]/g, '')]))),
  fc.constant({ get: 'not a function', 'user-agent': 'x' }),
  fc.constant({ get: () => 'only a get' }),
  weird,
)
const request = maybe({
  ip: or(fc.oneof(fc.ipV4(), fc.ipV6())),
  method: or(fc.constantFrom('GET', 'post', 'BREW', 'constructor')),
  path: or(fc.webPath()),
  headers,
  email: or(fc.emailAddress()),
  body: or(fc.oneof(fc.string(), fc.dictionary(fc.string(), fc.string()))),
})
const context = maybe({
  route: or(fc.constantFrom('other', 'signup', 'login', 'checkout', 'api', 'admin')),
  sessionAgeS: or(fc.double({ min: 0, max: 1e9, noNaN: true })),
  failedLogins: or(fc.nat()),
  formFillMs: or(fc.nat()),
  cartValue: or(fc.double({ min: 0, max: 1e6, noNaN: true })),
  emailVerified: or(fc.boolean()),
  loggedIn: or(fc.boolean()),
})
const input = fc.oneof({ weight: 4, arbitrary: maybe({ request: or(request), context: or(context) }) }, { weight: 1, arbitrary: weird })

/** Wraps a value so reading it misbehaves: getters and proxy traps that throw, cycles, depth. */
const hostile = (value) =>
  fc.oneof({ weight: 6, arbitrary: fc.constant('plain') }, fc.constantFrom('frozen', 'throwingGetter', 'throwingProxy', 'cyclic', 'deep', 'json')).map((how) => {
    if (value === null || typeof value !== 'object') return value
    switch (how) {
      case 'frozen':
        return Object.freeze(value)
      case 'throwingGetter':
        return Object.defineProperty({ ...value }, Object.keys(value)[0] ?? 'conclusion', { get() { throw new Error('getter exploded') }, enumerable: true })
      case 'throwingProxy':
        return new Proxy(value, { get(t, k) { if (k === 'then') return undefined; throw Symbol('trap') }, ownKeys() { throw new RangeError('no keys') } })
      case 'cyclic': {
        const c = { ...value }
        c.self = c
        if (c.request && typeof c.request === 'object') c.request = { ...c.request, parent: c }
        return c
      }
      case 'deep': {
        let d = { ...value }
        for (let i = 0; i < 10_000; i++) d = { nested: d, ...(i === 9_999 ? value : {}) }
        return d
      }
      case 'json':
        try {
          return JSON.parse(JSON.stringify(value).replace('{', '{"__proto__":{"conclusion":"DENY"},"constructor":1,'))
        } catch {
          return value
        }
      default:
        return value
    }
  })

export const args = fc.tuple(decision.chain(hostile), input.chain(hostile))

/** Records any attempt to change what it wraps, at any depth it is read through. */
export function watch(value, log) {
  const seen = new WeakMap()
  const wrap = (v) => {
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof Map || v instanceof Headers) return v
    try {
      // Frozen values cannot be written anyway (and proxy invariants forbid wrapping them).
      if (Object.isFrozen(v)) return v
    } catch {
      return v // a hostile proxy: it is the refiner's reads of it that are under test
    }
    if (seen.has(v)) return seen.get(v)
    const p = new Proxy(v, {
      get: (t, k, r) => {
        const d = Object.getOwnPropertyDescriptor(t, k)
        const x = Reflect.get(t, k, r)
        // Proxy invariants: non-configurable, non-writable data properties must read as they are.
        return d && !d.configurable && !d.writable ? x : wrap(x)
      },
      set: (t, k) => (log.push(`set ${String(k)}`), true),
      defineProperty: (t, k) => (log.push(`define ${String(k)}`), true),
      deleteProperty: (t, k) => (log.push(`delete ${String(k)}`), true),
    })
    seen.set(v, p)
    return p
  }
  return wrap(value)
}

const FIELD = /^(decision|input|request|context|options)\b/

/**
 * The property: refine either returns a well-formed decision or throws a TypeError / RangeError
 * whose message starts with the field it is about; it never writes to its arguments.
 */
export function checkRefine(refiner, decision, input) {
  const writes = []
  let refined
  try {
    refined = refiner.refine(watch(decision, writes), watch(input, writes))
  } catch (e) {
    assert.ok(e instanceof TypeError || e instanceof RangeError, `threw ${e?.constructor?.name}: ${e?.message}`)
    assert.match(e.message, FIELD, 'the message names the field')
    assert.deepEqual(writes, [], 'no writes to the arguments')
    return 'threw'
  }
  assert.deepEqual(writes, [], 'no writes to the arguments')
  assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(refined.conclusion))
  assert.ok(refined.isErrored() || (refined.score >= 0 && refined.score <= 1), `score ${refined.score}`)
  const json = JSON.stringify(refined.toJSON())
  assert.ok(!json.includes('secret'), 'toJSON never carries header values')
  for (const r of refined.reasons) assert.equal(typeof r.text, 'string')
  refined.rules
  return 'refined'
}
