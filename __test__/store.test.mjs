// The Redis store with a real redis-server: the Lua script keeps records exactly as local memory
// does, processes share counters, nothing is lost under concurrency, and an unreachable Redis
// degrades to local memory without errors, then recovers.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import Redis from 'ioredis'
import { Memory, Refiner } from '../index.mjs'
import { ROOT } from './fixtures.mjs'
import { SECRET, T0, login, agreeWithLocalMemory } from './store-steps.mjs'
import { startRedis } from '../scripts/redis-server.mjs'

let redis
let admin
before(async () => {
  redis = await startRedis()
  admin = new Redis(redis.url)
})
after(async () => {
  admin.disconnect()
  await redis.stop()
})

const stored = (options = {}) => new Refiner({ profile: 'login', store: { redis: redis.url, secret: SECRET, prefix: `t${Math.random().toString(36).slice(2)}:`, ...options } })

test('the store reads and updates records exactly as local memory does', async () => {
  const remote = stored()
  await agreeWithLocalMemory([remote])
  await remote.close()
})

test('redis holds keyed hashes that expire, never an ip, email or id', async () => {
  const prefix = 'ttl-test:'
  const r = stored({ prefix, ttlSeconds: 600 })
  await r.refineAsync(null, login(1))
  const keys = await admin.keys(`${prefix}*`)
  assert.deepEqual(keys.map((k) => k.split(':')[1]).sort(), ['account', 'device', 'email_domain', 'ip', 'network', 'session'])
  for (const k of keys) {
    const ttl = await admin.ttl(k)
    assert.ok(ttl > 0 && ttl <= 600, `${k} ttl ${ttl}`)
    const text = k + (await admin.get(k))
    for (const secret of ['198.51.100', 'buyer1', 'example.org', 'session-1']) assert.ok(!text.includes(secret), `${k} holds ${secret}`)
    assert.match(k, /^ttl-test:\w+:[0-9a-f]{16}$/)
  }
  await r.close()
})

test('two processes sharing Redis see each other\'s counters, and concurrent refines lose nothing', async () => {
  const prefix = 'shared:'
  const child = `
    const { Refiner } = require(${JSON.stringify(ROOT)})
    const r = new Refiner({ store: { redis: ${JSON.stringify(redis.url)}, secret: ${JSON.stringify(SECRET)}, prefix: ${JSON.stringify(prefix)}, timeoutMs: 2000 } })
    const input = { at: ${T0}, request: { ip: '192.0.2.44', headers: { 'user-agent': 'curl/8' } } }
    Promise.all(Array.from({ length: 300 }, () => r.refineAsync(null, input))).then(async (ds) => {
      console.log(ds.filter((d) => d.degraded).length)
      await r.close()
    })`
  const runs = [0, 1].map(() => {
    const p = spawn(process.execPath, ['-e', child], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    return once(p, 'exit').then(([code]) => ({ code, out: out.trim() }))
  })
  for (const { code, out } of await Promise.all(runs)) assert.deepEqual({ code, out }, { code: 0, out: '0' })
  const r = stored({ prefix })
  const seen = await r.refineAsync(null, { at: T0, request: { ip: '192.0.2.44', headers: { 'user-agent': 'curl/8' } } })
  assert.equal(seen.degraded, false)
  const [ipKey] = await admin.keys(`${prefix}ip:*`)
  const fields = (await admin.get(ipKey)).split(',').map(Number)
  assert.equal(fields[4], 601, 'requests in the last hour: 2 × 300 + 1, none lost')
  await r.close()
})

test('an unreachable Redis degrades to local memory without errors, and recovery follows a restart', async () => {
  const own = await startRedis()
  const r = new Refiner({ store: { redis: own.url, secret: SECRET, timeoutMs: 100 } })
  const input = (i) => login(i, Date.now())
  let d = await r.refineAsync(null, input(1))
  for (let i = 0; d.degraded && i < 50; i++) d = await r.refineAsync(null, input(1))
  assert.equal(d.degraded, false)
  await own.stop()
  const during = await Promise.all(Array.from({ length: 20 }, (_, i) => r.refineAsync(null, input(i))))
  assert.ok(during.every((x) => x.degraded && !x.errored && ['ALLOW', 'CHALLENGE', 'DENY'].includes(x.conclusion)))
  assert.equal((await r.observeAsync('login_failed', input(1))).degraded, true)
  assert.ok(r.recall(input(1)).ip.requests1h >= 20, 'local memory kept counting')
  const again = await startRedis(own.port)
  let back = false
  for (let i = 0; i < 100 && !back; i++) {
    back = !(await r.refineAsync(null, input(1))).degraded
    if (!back) await new Promise((ok) => setTimeout(ok, 100))
  }
  assert.ok(back, 'reconnected after Redis came back')
  await r.close()
  await again.stop()
})

test('a slow Redis is cut off by the timeout', async () => {
  const r = stored({ timeoutMs: 20 })
  await r.refineAsync(null, login(1))
  const blocker = new Redis(redis.url)
  await once(blocker, 'ready')
  const slow = blocker.eval('local t = redis.call("TIME") while true do local n = redis.call("TIME") if (n[1] - t[1]) * 1e6 + n[2] - t[2] > 300000 then break end end return 1', 0)
  await new Promise((ok) => setTimeout(ok, 50))
  const d = await r.refineAsync(null, login(2))
  await slow
  blocker.disconnect()
  assert.equal(d.degraded, true)
  await r.close()
})

test('store options are checked', () => {
  assert.throws(() => new Refiner({ store: { redis: redis.url } }), { name: 'TypeError', message: /options\.store\.secret must be a string of at least 16 characters/ })
  assert.throws(() => new Refiner({ store: { redis: 42, secret: SECRET } }), { name: 'TypeError', message: 'options.store.redis must be a redis:// URL, { cluster: [urls] } or an ioredis client (Redis or Cluster)' })
  assert.throws(() => new Refiner({ store: { redis: redis.url, secret: SECRET, timeoutMs: 0 } }), { name: 'RangeError', message: /timeoutMs must be between 0 and 60000/ })
  assert.throws(() => new Refiner({ store: { redis: redis.url, secret: SECRET }, memory: false }), { name: 'TypeError', message: /options\.memory cannot be false/ })
  assert.throws(() => new Refiner({ store: { redis: redis.url, secret: SECRET }, memory: new Memory() }), { name: 'TypeError', message: /created with the store's secret/ })
})
