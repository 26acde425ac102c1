// Behavioral memory in-process: what refines and observe() record, decay, sharing, the byte
// budget, and concurrency across sync, async and batch refines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Memory, Refiner } from '../index.mjs'
import { CHROME, browserInput } from './fixtures.mjs'
import { simulate } from '../scripts/simulate/index.mjs'

const T0 = Date.UTC(2026, 10, 25, 12)
const login = (i, at = T0, ip = '203.0.113.9') => ({
  at,
  request: { ip, method: 'POST', path: '/login', email: `user${i}@example.com`, headers: { 'user-agent': CHROME, 'accept-language': 'en-US' } },
  context: { route: 'login', sessionId: `s${i}` },
})

test('each refine records its request under the ip, network, device, account, session and email domain', () => {
  // A fixed secret fixes the sketch's bits: with a random key, 2 of 5 accounts share one of its
  // 64 bits in about 15% of runs, and the count reads 4.1 (the sketch's accuracy is tested in Rust).
  const r = new Refiner({ memory: new Memory({ secret: 'memory test secret' }) })
  assert.equal(r.recall(login(1)).ip.known, false)
  for (let i = 0; i < 5; i++) r.refine(null, login(i))
  const m = r.recall(login(0))
  assert.equal(m.ip.requests1h, 5)
  assert.equal(m.ip.requests1m, 5)
  assert.equal(m.network.requests1h, 5)
  assert.equal(m.emailDomain.requests1h, 5)
  assert.equal(m.account.requests1h, 1, 'one request per account')
  assert.equal(m.session.requests1h, 1)
  assert.ok(Math.abs(m.ip.distinct - 5) < 0.5, `five accounts on the ip, read ${m.ip.distinct}`)
  assert.ok(Math.abs(m.device.distinct - 5) < 0.5, 'and on the device')
  const neighbor = r.recall(login(0, T0, '203.0.113.77'))
  assert.equal(neighbor.ip.known, false)
  assert.equal(neighbor.network.requests1h, 5, 'the same /24')
})

test('counters decay with time, and input.at replays time', () => {
  const r = new Refiner()
  for (let i = 0; i < 10; i++) r.refine(null, login(1))
  assert.equal(r.recall(login(1, T0)).ip.requests1m, 10)
  const later = r.recall(login(1, new Date(T0 + 60_000))).ip
  assert.ok(Math.abs(later.requests1m - 10 / Math.E) < 1e-3, `${later.requests1m}`)
  assert.ok(later.requests1h > 9.8)
  assert.equal(later.ageS, 60)
  assert.ok(r.recall(login(1, T0 + 6 * 3600_000)).ip.requests1h < 0.03)
})

test('observe() records outcomes the app reports', () => {
  const r = new Refiner()
  r.observe('login_failed', login(1))
  r.observe('login_failed', login(1))
  r.observe('payment_declined', login(1))
  r.observe('login_ok', login(2))
  const m = r.recall(login(1))
  assert.equal(m.ip.loginFailures, 2)
  assert.equal(m.account.loginFailures, 2)
  assert.equal(m.account.paymentFailures, 1)
  assert.equal(m.ip.goodOutcomes, 1)
  assert.equal(m.ip.requests1h, 0, 'outcomes are not requests')
  assert.throws(() => r.observe('logged_in', login(1)), { name: 'RangeError', message: /type must be one of 'login_failed', .*but is 'logged_in'/ })
  assert.throws(() => r.observe(3, login(1)), { name: 'TypeError', message: 'type must be a string' })
  assert.throws(() => r.observe('login_ok', { at: -1 }), { name: 'TypeError', message: /input\.at must be a Date or a time in ms/ })
})

test('the rules\' denials are counted', () => {
  const r = new Refiner()
  r.refine({ conclusion: 'DENY', reason: { type: 'RATE_LIMIT' } }, login(1))
  r.refine({ conclusion: 'ALLOW' }, login(1))
  assert.equal(r.recall(login(1)).ip.denials, 1)
})

test('refiners share a Memory when given one, and only then', () => {
  const shared = new Memory({ maxBytes: 1 << 20 })
  const a = new Refiner({ memory: shared, profile: 'login' })
  const b = new Refiner({ memory: shared })
  const own = new Refiner({ memory: { maxBytes: 1 << 20 } })
  a.refine(null, login(1))
  assert.equal(b.recall(login(1)).ip.requests1h, 1)
  assert.equal(own.recall(login(1)).ip.known, false)
  assert.equal(shared.size(), 6)
  const none = new Refiner({ memory: false })
  none.refine(null, login(1))
  assert.equal(none.recall(login(1)).ip.known, false)
})

test('memory changes what the refiner concludes: a device cycling through accounts', () => {
  const quiet = new Refiner({ profile: 'login', memory: false })
  const remembering = new Refiner({ profile: 'login' })
  // A browser's full header set, so that only memory can tell this device apart.
  const { headers } = browserInput().request
  let last
  for (let i = 0; i < 40; i++) {
    const input = login(i, T0 + i * 2000)
    input.request.headers = headers
    remembering.observe('login_failed', { ...input, at: input.at + 500 })
    last = [quiet.refine(null, input), remembering.refine(null, input)]
  }
  const [without, withMemory] = last
  assert.ok(withMemory.threats.abuse > without.threats.abuse, `abuse ${without.threats.abuse} → ${withMemory.threats.abuse}`)
  assert.equal(without.conclusion, 'ALLOW')
  assert.equal(withMemory.conclusion, 'DENY')
  const failures = withMemory.reasons.find((r) => r.feature === 'memory.login_failures')
  assert.ok(failures?.contribution > 0, JSON.stringify(withMemory.reasons))
})

test('an explanation re-reads what memory knew at the refine, without recording again', () => {
  const r = new Refiner()
  for (let i = 0; i < 3; i++) r.refine(null, login(i))
  const d = r.refine(null, login(9))
  for (let i = 0; i < 50; i++) r.refine(null, login(i + 100))
  const reasons = d.reasons
  assert.equal(r.recall(login(9)).ip.requests1h, 54, 'reading reasons recorded nothing')
  const seen = reasons.find((x) => x.feature === 'memory.ip_requests_1h')
  if (seen) assert.equal(seen.value, 3)
})

test('the byte budget holds whatever is stored', () => {
  const m = new Memory({ maxBytes: 1 << 20 })
  assert.ok(m.bytes <= 1 << 20 && m.bytes > 0.9 * (1 << 20), `${m.bytes}`)
  const r = new Refiner({ memory: m })
  for (let i = 0; i < 40000; i++) r.refine(null, { at: T0, request: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, headers: { 'user-agent': `agent ${i}` } } })
  assert.ok(m.bytes <= 1 << 20)
  assert.equal(m.size(), m.capacity, 'full, evicting')
  assert.throws(() => new Memory({ maxBytes: 1000 }), { name: 'RangeError', message: /^options\.maxBytes must be at least 65536/ })
  assert.throws(() => new Memory({ maxBytes: '1mb' }), { name: 'TypeError', message: 'options.maxBytes must be a number' })
  assert.throws(() => new Refiner({ memory: 'yes' }), { name: 'TypeError', message: /options\.memory must be false, \{ maxBytes \}, or a Memory/ })
})

test('sync, async and batch refines from one memory lose no increment', async () => {
  const shared = new Memory({ maxBytes: 1 << 20 })
  const a = new Refiner({ memory: shared })
  const b = new Refiner({ memory: shared })
  const input = login(1)
  const pending = []
  for (let i = 0; i < 200; i++) pending.push(a.refineAsync(null, input))
  b.refineBatch(Array.from({ length: 2000 }, () => input))
  for (let i = 0; i < 300; i++) a.refine(null, input)
  await Promise.all(pending)
  assert.equal(a.recall(input).ip.requests1h, 2500)
})

test('reasons read after hundreds of other refines are the reasons read at once', async () => {
  // Two refiners see the same traffic. One refines each request as a batch of one, which
  // explains from the batch's own buffer, at once; the other refines it alone and explains at
  // the end, from the copy of its packed input and memory snapshot the decision keeps. Their
  // memories share a secret: distinct counts depend on the keyed hashes of the members.
  const secret = 'the same secret for both memories'
  const now = new Refiner({ memory: new Memory({ secret }) })
  const late = new Refiner({ memory: new Memory({ secret }) })
  const kept = []
  for await (const s of simulate({ n: 400, seed: 5, pool: 'eval' })) {
    if (s.event) {
      now.observe(s.event, s)
      late.observe(s.event, s)
      continue
    }
    kept.push([now.refineBatch([s])[0].reasons, late.refine(s.decision, s)])
  }
  assert.ok(kept.some(([reasons]) => reasons.some((r) => r.feature.startsWith('memory.'))), 'memory features take part')
  for (const [reasons, d] of kept) assert.deepEqual(d.reasons, reasons)
})
