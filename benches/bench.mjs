// npm run bench: the refiner against its alternatives, in one run, on the same realistic input
// (a real @arcjet/protocol decision with four rule results and ip details, a browser's headers,
// the app's context). Writes benches/RESULTS.md, which the README quotes. Builds the test build
// first (npm run build:test, a no-op when it is current): the floor's no-op call is its own, and
// benches/js-pipeline.mjs reads from it the model the alternatives are checked against.
import { spawnSync } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import {
  ArcjetBotReason, ArcjetDenyDecision, ArcjetEmailReason, ArcjetIpDetails, ArcjetRateLimitReason, ArcjetRuleResult, ArcjetShieldReason,
} from '@arcjet/protocol'
import * as ort from 'onnxruntime-node'
import { Bench } from 'tinybench'
import { simulate } from '../scripts/simulate/index.mjs'
import { startRedis, startRedisCluster, cli } from '../scripts/redis-server.mjs'

const require = createRequire(import.meta.url)
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
// What else ran on the machine: a shared VM's other jobs slow every row, and lengthen stalls most.
const load = loadavg()[0]
if (spawnSync('npm', ['run', '--silent', 'build:test'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('npm run build:test failed')
const { JsRefiner, compareWithAddon, featureValues, testBuild, unmatchedFamilies } = await import('./js-pipeline.mjs')
const { Refiner, Memory } = require('../index.js')
const { native, schema } = require('../lib/schema.js')
const { pack, WIDTH } = require('../lib/pack.js')

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const result = (conclusion, reason) => new ArcjetRuleResult({ ruleId: 'r', fingerprint: 'f', ttl: 0, state: 'RUN', conclusion, reason })
/** A sign-up the rate limit denied: what a refiner sees on a busy day. */
function decisionOf(i) {
  const results = [
    result('ALLOW', new ArcjetShieldReason({ shieldTriggered: false })),
    result('DENY', new ArcjetRateLimitReason({ max: 60, remaining: 0, reset: 20 + (i % 30), window: 60, resetTime: new Date() })),
    result('ALLOW', new ArcjetBotReason({ allowed: [], denied: [], verified: false, spoofed: false })),
    result('ALLOW', new ArcjetEmailReason({ emailTypes: ['FREE'] })),
  ]
  return new ArcjetDenyDecision({ ttl: 0, reason: results[1].reason, results, ip: new ArcjetIpDetails({ country: 'DE', isHosting: false, isVpn: i % 5 === 0 }) })
}
function inputOf(i) {
  return {
    request: {
      ip: `198.51.${i % 256}.${(i >> 8) % 256}`,
      method: 'POST',
      path: '/account/register',
      email: `anna.smith${i % 100}@gmail.com`,
      headers: {
        'user-agent': CHROME, accept: 'text/html,application/xhtml+xml', 'accept-language': 'de-DE,de;q=0.9', 'accept-encoding': 'gzip, deflate, br',
        'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', 'sec-ch-ua': '"Chromium";v="131"', referer: 'https://shop.example/', cookie: 'sid=abc',
      },
    },
    context: { route: 'signup', sessionAgeS: 420 + i % 100, sessionRequests: 9, pagesSeen: 5, failedLogins: 0, accountAgeDays: 0, emailVerified: false, formFillMs: 18000 + i % 5000, loggedIn: false },
  }
}
/** An order as an app's JSON parser hands it over: nested objects and arrays, `bytes` long as JSON. */
function orderBody(bytes) {
  const order = { customer: { name: 'Anna Smith', email: 'anna.smith@gmail.com', address: { street: '12 Long Street', city: 'Berlin', zip: '10115', country: 'DE' } }, items: [] }
  for (let size = JSON.stringify(order).length, i = 0; size < bytes; i++) {
    const item = { sku: `SKU-${1000 + i}`, name: `Organic cotton shirt, size ${'SMLX'[i % 4]}`, options: { color: 'dark blue', notes: [`gift wrap ${i}`, 'leave it at the door'] }, price: { amount: String(19.9 + i), currency: 'EUR' } }
    order.items.push(item)
    size += JSON.stringify(item).length + 1
  }
  return order
}

const decision = decisionOf(1)
const input = inputOf(1)
const body = orderBody(64 << 10)
const BODY_KB = `${Math.round(JSON.stringify(body).length / 1024)} KB`
const bodyInput = { ...input, request: { ...input.request, headers: { ...input.request.headers, 'content-type': 'application/json' }, body } }
// The default configuration: a memory of its own (32 MB).
const refiner = new Refiner({ profile: 'signup' })
const noMemory = new Refiner({ profile: 'signup', memory: false })
// A new client on every call: 2^17 distinct ips, accounts and sessions, cycled.
const CLIENTS = 1 << 17
const clients = Array.from({ length: CLIENTS }, (_, i) => {
  const x = inputOf(i)
  x.request.ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  x.context.accountId = `acct-${i}`
  x.context.sessionId = `sess-${i}`
  return x
})
let client = 0
const engine = native.createEngine({ profile: 'signup' })
// The floor's no-op call is the test build's; its engine must be too.
const floorEngine = testBuild.createEngine({ profile: 'signup' })
const nums = new Float64Array(WIDTH)
const out = new Float64Array(schema.output.width)
const us = (ms) => ms * 1000
const jsRefiner = new JsRefiner({ profile: 'signup' })
const ONNX = join(root, 'benches', 'default.onnx')
const session = await ort.InferenceSession.create(ONNX, { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] })
const N_IN = schema.features.length
const addonFeatures = Float32Array.from(testBuild.featureValues(nums, pack(nums, decision, input)))
const jsFeatures = new Float32Array(N_IN)
const onnxRun = (x, rows = 1) => session.run({ features: new ort.Tensor('float32', x, [rows, N_IN]) })

/** The fields of a protobuf message, as [field number, bytes] for the length-delimited ones. */
function protoFields(bytes) {
  const fields = []
  let at = 0
  const varint = () => {
    for (let v = 0, shift = 0; ; shift += 7) {
      const b = bytes[at++]
      v += (b & 0x7f) * 2 ** shift
      if (b < 0x80) return v
    }
  }
  while (at < bytes.length) {
    const tag = varint()
    const wire = tag % 8
    if (wire === 0) varint()
    else if (wire === 1 || wire === 5) at += wire === 1 ? 8 : 4
    else if (wire === 2) {
      const n = varint()
      fields.push([Math.floor(tag / 8), bytes.subarray(at, at + n)])
      at += n
    } else throw new Error(`${ONNX} is not an ONNX model`)
  }
  return fields
}
// onnxruntime-node does not expose a model's metadata: read metadata_props (ModelProto field 14, key 1, value 2).
const onnxMetadata = Object.fromEntries(protoFields(readFileSync(ONNX)).filter(([f]) => f === 14).map(([, entry]) => {
  const kv = new Map(protoFields(entry))
  return [kv.get(1)?.toString(), kv.get(2)?.toString()]
}))
if (onnxMetadata.model_version !== refiner.modelVersion || onnxMetadata.schema_hash !== schema.schemaHash) {
  throw new Error(`benches/default.onnx is ${onnxMetadata.model_version} (schema ${onnxMetadata.schema_hash}), the addon's model ${refiner.modelVersion} (schema ${schema.schemaHash}): re-export it (python3 scripts/export_onnx.py)`)
}

// The alternatives must compute the same thing: check them against the addon on simulated traffic.
const PARITY_N = 2000
const parity = await compareWithAddon({ n: PARITY_N, seed: 31, profiles: schema.profiles })
if (parity.mismatches.length) throw new Error(`the pure-JS pipeline disagrees with the addon:\n${parity.mismatches.join('\n')}`)
/** The largest difference between onnxruntime's probabilities, on the addon's own features, and the addon's. */
async function onnxParity() {
  const rows = []
  const want = []
  for await (const s of simulate({ n: PARITY_N, seed: 31, pool: 'eval' })) {
    if (s.event) continue
    rows.push(testBuild.featureValues(nums, pack(nums, s.decision, s)))
    want.push(noMemory.refine(s.decision, s).threats)
  }
  const p = (await onnxRun(Float32Array.from(rows.flat()), rows.length)).probabilities.data
  const maxDiff = Math.max(...want.flatMap((t, i) => schema.threats.map((name, k) => Math.abs(p[i * schema.threats.length + k] - t[name]))))
  if (!(maxDiff <= 1e-5)) throw new Error(`onnxruntime's probabilities differ from the addon's by up to ${maxDiff}`)
  return maxDiff
}
const onnxDiff = await onnxParity()
const count = (n) => n.toLocaleString('en')
const paritySentence = `${count(parity.requests)} simulated requests (the profiles in turn). Every feature of the pure-JS pipeline but the payload ones equals the addon's on all of them. On the ${count(parity.compared)} where neither the addon nor the approximation finds a payload, its conclusion, basis and evidence equal the addon's and its probabilities are within ${parity.maxDiff.toExponential(1)}; skipped: ${count(parity.addonPayload)} with payload findings in the addon (the approximation also flags ${count(parity.approximationAlso)} of them) and ${count(parity.approximationOnly)} flagged by the approximation alone. onnxruntime's probabilities, on the addon's features, are within ${onnxDiff.toExponential(1)} of the addon's on all ${count(parity.requests)}`
console.log(`parity: ${paritySentence}`)

const rows = []
const row = (name, p50, p99, opsPerS, note = '') => rows.push({ name, p50, p99, opsPerS, note })

// Single calls. In many short rounds that interleave the tasks, each row the median of its rounds:
// on a shared VM a slow spell of a few seconds would otherwise fall on some rows and not others
// (with 5 rounds of 400 ms, one run's floor ranged 1.70–2.66 µs over its rounds). One run in six
// here still had the floor at 2.68 µs, against 1.62–1.64 in the others: compare runs, not only rows.
const ROUNDS = 15
const bench = new Bench({ time: 130, warmupTime: 30 })
bench
  .add('refine() sync', () => refiner.refine(decision, input))
  .add('refine() sync, memory off', () => noMemory.refine(decision, input))
  .add('refine() sync, a new client each call', () => refiner.refine(decision, clients[client++ & (CLIENTS - 1)]))
  .add('floor: same reads + no-op N-API call', () => testBuild.noop(floorEngine, nums, pack(nums, decision, input), out))
  .add('pack + native refine, no result object', () => native.refine(engine, nums, pack(nums, decision, input), out))
  .add(`refine() sync, a ${BODY_KB} nested JSON body`, () => refiner.refine(decision, bodyInput))
  .add('pure-JS pipeline (same reads, features, weights, policy; payload approximated)', () => jsRefiner.refine(decision, input))
  .add(`pure-JS pipeline, the same ${BODY_KB} body`, () => jsRefiner.refine(decision, bodyInput))
  .add('onnxruntime-node: the model alone, single row', async () => { await onnxRun(addonFeatures) })
  .add('onnxruntime-node: JS reads + JS features + model', async () => { await onnxRun(featureValues(nums, pack(nums, decision, input), jsFeatures)) })
const rounds = new Map(bench.tasks.map((t) => [t.name, []]))
for (let r = 0; r < ROUNDS; r++) {
  bench.reset()
  await bench.run()
  for (const t of bench.tasks) rounds.get(t.name).push(t.result)
}
const medianOf = (values) => values.sort((a, b) => a - b)[values.length >> 1]
/** The median over rounds of row `a`'s p50 over row `b`'s in the same round. */
const ratio = (a, b) => medianOf(rounds.get(a).map((x, i) => x.latency.p50 / rounds.get(b)[i].latency.p50))
for (const [name, results] of rounds) {
  row(name, us(medianOf(results.map((x) => x.latency.p50))), us(medianOf(results.map((x) => x.latency.p99))), medianOf(results.map((x) => x.throughput.mean)))
}

// refineAsync with k promises in flight; latency is a whole round's, throughput calls per second.
/** Runs rounds of `k` concurrent `call()`s for `ms` and rows them; returns how many decisions were degraded. */
async function inFlight(name, k, ms, call, note) {
  const times = []
  const started = performance.now()
  let calls = 0
  let degraded = 0
  while (performance.now() - started < ms) {
    const t = performance.now()
    const ds = await Promise.all(Array.from({ length: k }, call))
    times.push(performance.now() - t)
    calls += k
    degraded += ds.filter((d) => d.degraded).length
  }
  times.sort((a, b) => a - b)
  row(name, us(times[Math.floor(times.length / 2)]), us(times[Math.floor(times.length * 0.99)]), calls / ((performance.now() - started) / 1000), note)
  return degraded
}
for (const k of [1, 64, 1024]) await inFlight(`refineAsync(), ${k} in flight`, k, 1500, () => refiner.refineAsync(decision, input), 'latency of the whole round')

// Memory shared through Redis on localhost: one round trip per refine (a Lua script); then the
// same on a 3-master Redis Cluster on this machine (one script call per key, each sent to the node
// owning its slot). One Redis and the cluster run at the same time and their rows alternate, in
// rounds, each row the median of its rounds, so a slow spell of the machine falls on both alike.
const SECRET = 'benchmark secret, 16+ chars'
const redis = await startRedis()
const redisCluster = await startRedisCluster({ masters: 3 })
const stored = new Refiner({ profile: 'signup', store: { redis: redis.url, secret: SECRET, timeoutMs: 1000 } })
const clustered = new Refiner({ profile: 'signup', store: { redis: { cluster: redisCluster.urls }, secret: SECRET, timeoutMs: 1000 } })
for (const r of [stored, clustered]) {
  let d = await r.refineAsync(decision, input)
  for (let i = 0; d.degraded && i < 100; i++) d = await r.refineAsync(decision, input)
}
const singleNote = 'one redis-server on localhost; latency of the whole round'
const clusterNote = 'Redis Cluster, 3 masters on localhost; latency of the whole round'
await inFlight('refineAsync() with Redis memory, 1 in flight', 1, 2000, () => stored.refineAsync(decision, clients[client++ & (CLIENTS - 1)]), singleNote)
const storeRounds = new Map()
// This process's CPU time per refine (user + system), over all rounds: the client's share of the work.
const clientCpu = new Map()
for (let round = 0; round < 3; round++) {
  for (const k of [64, 256]) {
    for (const [name, r, note] of [[`refineAsync() with Redis memory, ${k} in flight`, stored, singleNote], [`refineAsync() with Redis Cluster memory (3 masters), ${k} in flight`, clustered, clusterNote]]) {
      let calls = 0
      const cpu = process.cpuUsage()
      const degraded = await inFlight(name, k, 1500, () => (calls++, r.refineAsync(decision, clients[client++ & (CLIENTS - 1)])), note)
      const used = process.cpuUsage(cpu)
      const c = clientCpu.get(name) ?? { us: 0, calls: 0 }
      clientCpu.set(name, { us: c.us + used.user + used.system, calls: c.calls + calls })
      if (degraded) throw new Error(`${degraded} refines fell back to local memory: the ${name} row would not measure Redis`)
      if (!storeRounds.has(name)) storeRounds.set(name, [])
      storeRounds.get(name).push(rows.pop())
    }
  }
}
for (const [name, rs] of storeRounds) {
  row(name, medianOf(rs.map((x) => x.p50)), medianOf(rs.map((x) => x.p99)), medianOf(rs.map((x) => x.opsPerS)), rs[0].note)
}
// The work per node: the script calls each master served for 10,000 new clients, counted by Redis
// (INFO commandstats), once with every key of each client its own (ip, network, device, account,
// session, email domain), once with the clients above (200 networks' worth of ips, every email
// at gmail.com: a key every request shares, which one node holds). Then memory per record.
const masters = redisCluster.masters
/** The script calls a server ran since its last CONFIG RESETSTAT, and the µs it spent in them. */
const scriptCalls = async (port) => {
  const stats = [...(await cli(port, 'info', 'commandstats')).matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+),usec=(\d+)/g)]
  return { calls: stats.reduce((n, m) => n + Number(m[1]), 0), usec: stats.reduce((n, m) => n + Number(m[2]), 0) }
}
/** Each master's script calls while `n` refines of `inputAt(i)` run 64 at a time. */
async function sharesOf(inputAt, n = 10000) {
  for (const m of masters) await cli(m.port, 'config', 'resetstat')
  for (let i = 0; i < n; i += 64) {
    const ds = await Promise.all(Array.from({ length: Math.min(64, n - i) }, (_, j) => clustered.refineAsync(decision, inputAt(i + j))))
    if (ds.some((d) => d.degraded)) throw new Error('a cluster refine degraded while counting commands')
  }
  const stats = await Promise.all(masters.map((m) => scriptCalls(m.port)))
  const calls = stats.map((x) => x.calls)
  const total = calls.reduce((a, b) => a + b, 0)
  return { calls, total, perRefine: total / n, usPerRefine: stats.map((x) => x.usec / n), shares: calls.map((c) => c / total), worst: Math.max(...calls.map((c) => Math.abs(c / total * masters.length - 1))) }
}
/** Client `i` with every key its own: its ip in a /24 of its own, its account, session and email domain. */
const distinctClient = (i) => {
  const x = inputOf(i)
  x.request.ip = `${11 + (i % 200)}.${(i >> 8) & 255}.${i & 255}.9`
  x.request.email = `user${i}@domain${i}.example`
  x.context.accountId = `distinct-${i}`
  x.context.sessionId = `distinct-sess-${i}`
  // The device: else the decision's Arcjet fingerprint, the same for every row here.
  x.context.fingerprint = `distinct-device-${i}`
  return x
}
const distinctShares = await sharesOf(distinctClient)
const benchShares = await sharesOf((i) => clients[(i + 50000) & (CLIENTS - 1)])
// Memory per record in Redis, on the single instance emptied first: its used_memory grown by
// 10,000 distinct clients' records over the keys they made (that counts the key, the value, the
// dictionaries' entries and the TTL's expires entry), and MEMORY USAGE of each key (the key and
// value with their allocations; not the expires entry).
const plain = new (require('ioredis'))(redis.url)
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await plain.info('memory'))[1])
await plain.flushall()
await plain.config('RESETSTAT')
const memoryBefore = await usedMemory()
for (let i = 0; i < 10000; i += 64) {
  const ds = await Promise.all(Array.from({ length: 64 }, (_, j) => stored.refineAsync(decision, distinctClient(200000 + i + j))))
  if (ds.some((d) => d.degraded)) throw new Error('a refine degraded while measuring memory')
}
const singleScript = await scriptCalls(redis.port)
const keysHeld = await plain.dbsize()
const memoryAfter = await usedMemory()
const sample = await plain.keys('*')
const usages = (await Promise.all(sample.slice(0, 2000).map((k) => plain.memory('USAGE', k)))).sort((a, b) => a - b)
const recordBytes = {
  keys: keysHeld,
  usedPerKey: (memoryAfter - memoryBefore) / keysHeld,
  usageMedian: usages[usages.length >> 1],
  ttl: await plain.ttl(sample[0]),
  keyLength: sample.reduce((n, k) => n + k.length, 0) / sample.length,
  valueLength: (await plain.get(sample[0])).length,
}
const redisVersion = /redis_version:(\S+)/.exec(await plain.info('server'))[1]
const clusterPerRefine = distinctShares.perRefine
console.log('redis record bytes', recordBytes, 'shares', distinctShares, benchShares)
plain.disconnect()
await Promise.all([stored.close(), clustered.close()])
await redis.stop()
await redisCluster.stop()

// Batches of 1k and 10k distinct items on all cores, and their floor: reading the items, which
// only the one JS thread can do, caps any batch API that takes JS objects.
/** Runs `call()` for `ms` and rows it as `n` decisions per call. */
async function batchRow(name, n, ms, call, note) {
  const times = []
  for (let i = 0; i < 3; i++) await call()
  const started = performance.now()
  while (performance.now() - started < ms) {
    const t = performance.now()
    await call()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const p50 = times[Math.floor(times.length / 2)]
  row(name, us(p50), us(times[Math.floor(times.length * 0.99)]), n / (p50 / 1000), note)
}
/** The longest the event loop went without running a setImmediate callback while `work()` ran, in ms. */
async function longestStall(work) {
  let last = performance.now()
  let longest = 0
  let running = true
  const tick = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  await work()
  running = false
  return Math.max(longest, performance.now() - last)
}
const cores = `decisions/s on ${cpus().length} cores; latency of the batch`
let items
for (const n of [1000, 10000]) {
  items = Array.from({ length: n }, (_, i) => ({ decision: decisionOf(i), ...inputOf(i) }))
  await batchRow(`refineBatch() of ${count(n)}`, n, 2000, () => refiner.refineBatch(items), cores)
  await batchRow(`refineBatchAsync() of ${count(n)}`, n, 2000, () => refiner.refineBatchAsync(items), `${cores}, the event loop free`)
  await batchRow(`batch floor: packing the same ${count(n)} items, no native call`, n, 1000, () => items.forEach((x) => pack(nums, x.decision, x)), 'items/s on the JS thread')
}
// The event loop while refineBatchAsync() refines the 10,000: its longest stall in each of 10 runs.
// After each, the control: as long with the loop idle, what the machine's other jobs cause alone.
const stalls = []
const idleStalls = []
for (let i = 0; i < 10; i++) {
  const started = performance.now()
  stalls.push(await longestStall(() => refiner.refineBatchAsync(items)))
  const took = performance.now() - started
  idleStalls.push(await longestStall(() => new Promise((resolve) => setTimeout(resolve, took))))
}
stalls.sort((a, b) => a - b)
idleStalls.sort((a, b) => a - b)

// onnxruntime-node batched: 1,024 rows per run.
{
  const rows1024 = new Float32Array(1024 * N_IN)
  for (let i = 0; i < 1024; i++) rows1024.set(addonFeatures, i * N_IN)
  for (let i = 0; i < 20; i++) await onnxRun(rows1024, 1024)
  const times = []
  const started = performance.now()
  while (performance.now() - started < 1500) {
    const t = performance.now()
    await onnxRun(rows1024, 1024)
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const p50 = times[Math.floor(times.length / 2)]
  row('onnxruntime-node: the model alone, batch of 1,024', us(p50) / 1024, us(times[Math.floor(times.length * 0.99)]) / 1024, 1024 / (p50 / 1000), 'per row; features precomputed')
}

// Sizes and start-up, each in a fresh process.
const node = (code) => JSON.parse(spawnSync(process.execPath, ['--expose-gc', '-e', code], { cwd: root, encoding: 'utf8' }).stdout)
const startups = Array.from({ length: 5 }, () =>
  node(`const t = performance.now(); const { Refiner } = require('./index.js'); const a = performance.now(); const r = new Refiner(); r.refine(null, { request: { headers: { 'user-agent': 'x' } } }); console.log(JSON.stringify({ require: a - t, first: performance.now() - t }))`),
).sort((a, b) => a.first - b.first)
const memory = node(`gc(); const m0 = process.memoryUsage().rss; const { Refiner } = require('./index.js'); gc(); const m1 = process.memoryUsage().rss; const r = new Refiner(); r.refine(null, {}); r.refineBatch([{}]); gc(); const m2 = process.memoryUsage().rss; console.log(JSON.stringify({ load: m1 - m0, refiner: m2 - m1 }))`)
// Behavioral memory: bytes per record, and a default Refiner fed 12M distinct keys (2M requests,
// each a new ip, network, device, account, session and email domain), in a fresh process.
const bytesPerKey = (() => {
  const m = new Memory()
  return m.bytes / m.capacity
})()
// The same flood with memory off tells what memory adds to the process's peak (the rest is the JS
// garbage of 2M input objects).
const floodOf = (memoryOption) => node(`
  const { Refiner, Memory } = require('./index.js')
  const memory = new Memory()
  const r = new Refiner({ memory: ${memoryOption} })
  const rss0 = process.memoryUsage().rss
  const t = performance.now()
  const ip = (i) => (i >>> 24) + '.' + ((i >>> 16) & 255) + '.' + ((i >>> 8) & 255) + '.' + (i & 255)
  // Sampled: a child's maxRSS starts at its parent's (Linux keeps it across fork and exec).
  let peak = rss0
  for (let i = 0; i < 2e6; i++) {
    r.refine(null, { request: { ip: ip(0x0b000000 + i * 256 + (i & 255)), email: 'u' + i + '@d' + i + '.example', headers: { 'user-agent': 'agent' } }, context: { accountId: 'a' + i, sessionId: 's' + i } })
    if (i % 10000 === 0) peak = Math.max(peak, process.memoryUsage().rss)
  }
  console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, bytes: memory.bytes, capacity: memory.capacity, size: memory.size(), rssBefore: rss0, peakRss: Math.max(peak, process.memoryUsage().rss) }))`)
const flood = floodOf('memory')
const floodOff = floodOf('false')
const addon = statSync(join(root, 'refiner.linux-x64-gnu.node')).size
const model = statSync(join(root, 'models', 'default.rfm')).size

const f = (v, digits = 2) => (v >= 100 ? v.toFixed(0) : v.toFixed(digits))
const ops = (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(0)} k` : v.toFixed(0))
const named = (name) => rows.find((r) => r.name === name)
const sync = named('refine() sync')
const syncOff = named('refine() sync, memory off')
const syncNew = named('refine() sync, a new client each call')
const batch10k = named('refineBatch() of 10,000')
const batchFloor = named('batch floor: packing the same 10,000 items, no native call')
const pureJs = rows.find((r) => r.name.startsWith('pure-JS pipeline ('))
const ortAlone = named('onnxruntime-node: the model alone, single row')
// Ratios of rows measured in the same round: two medians could come from different rounds.
const overFloor = ratio(sync.name, 'floor: same reads + no-op N-API call')
const overOrt = ratio(ortAlone.name, sync.name)
const overJs = ratio(pureJs.name, sync.name)
const mb = (b) => (b / 2 ** 20).toFixed(2)
const median = startups[2]
const worstStall = stalls.at(-1)
const targets = [
  ['sync refine p50 ≤ 3 µs (memory on)', `${f(sync.p50)} µs`, sync.p50 <= 3],
  ['sync refine p99 ≤ 15 µs', `${f(sync.p99)} µs`, sync.p99 <= 15],
  ['sync refine within 2× of the floor', `${overFloor.toFixed(2)}×`, overFloor <= 2],
  ['whole refine ≥ 3× faster than onnxruntime-node\'s single-row model alone', `${overOrt.toFixed(2)}×`, overOrt >= 3],
  ['faster than the pure-JS pipeline (a lower bound on its cost)', `${overJs.toFixed(1)}×`, overJs > 1],
  ['refineBatch ≥ 1M decisions/s', `${ops(batch10k.opsPerS)}/s (its floor: ${ops(batchFloor.opsPerS)}/s)`, batch10k.opsPerS >= 1e6],
  ['refineBatchAsync of 10,000: longest event-loop stall < 10 ms', `${f(worstStall)} ms`, worstStall < 10],
  ['.node ≤ 4 MB', `${mb(addon)} MB`, addon <= 4 * 2 ** 20],
  ['model ≤ 256 KB', `${(model / 1024).toFixed(1)} KB`, model <= 256 * 1024],
  ['require + first refine ≤ 30 ms', `${f(median.first, 1)} ms`, median.first <= 30],
  ['RSS added ≤ 16 MB', `${mb(memory.load + memory.refiner)} MB`, memory.load + memory.refiner <= 16 * 2 ** 20],
]

const md = `# Benchmarks

Written by \`npm run bench\` (benches/bench.mjs) on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0].model.trim()}, ${cpus().length} cores
(load average ${load.toFixed(1)} when it started), Node ${process.version}, model \`${refiner.modelVersion}\`. Every row refines the same input: a real
\`@arcjet/protocol\` DENY decision (shield, rate limit, bot and email results, ip details), nine browser
headers, an email and nine context fields, with the \`signup\` profile; the ${BODY_KB} rows add an order as
a parsed JSON body (${count(body.items.length)} items, objects and arrays four levels deep). Latencies are per call unless noted.
The first ${bench.tasks.length} rows are each the median of ${ROUNDS} rounds that interleave them, so a slow spell of
the machine falls on all of them alike; the targets' ratios between them are the median of each
round's ratio.

| | p50 | p99 | throughput | |
|---|---:|---:|---:|---|
${rows.map((r) => `| ${r.name} | ${f(r.p50)} µs | ${f(r.p99)} µs | ${ops(r.opsPerS)}/s | ${r.note} |`).join('\n')}

The floor is the cost no implementation of this API can avoid: the same property reads of the
decision and input (packing into the reused typed array) and one N-API call (the same function shape as refine) with the
same arguments, doing nothing. The pure-JS pipeline (benches/js-pipeline.mjs) does what the addon
does in JavaScript, from the same tables, lists and weights, with no memory, except the payload
analysis: that is an approximation (the values the addon's splitter visits, decoded and matched
with one regex per family${unmatchedFamilies.length ? `; none for ${unmatchedFamilies.join(', ')}` : ''}), far less work than the addon's detectors, so the pure-JS rows are
a lower bound on what JavaScript would cost. onnxruntime-node ${ort.env.versions.common} runs the same
model exported to ONNX (scripts/export_onnx.py, \`intraOpNumThreads: 1\`), on the addon's features,
or on features computed in JS. Checked before timing, on ${paritySentence}.

| | |
|---|---:|
| longest event-loop stall while refineBatchAsync() refines 10,000 items (gap between setImmediate callbacks) | ${f(worstStall)} ms worst of ${stalls.length} runs, ${f(stalls[stalls.length >> 1])} ms median (the loop idle as long, after each run: ${f(idleStalls.at(-1))} ms worst, ${f(idleStalls[idleStalls.length >> 1])} ms median) |
| \`.node\` file (linux-x64-gnu, model and lists embedded) | ${mb(addon)} MB |
| model file (\`models/default.rfm\`) | ${(model / 1024).toFixed(1)} KB |
| \`require('request-refiner')\` | ${f(median.require, 1)} ms |
| require + \`new Refiner()\` + first refine | ${f(median.first, 1)} ms (median of 5 fresh processes) |
| RSS added by loading the addon | ${mb(memory.load)} MB |
| RSS added by a Refiner, its first refine and the batch thread pool | ${mb(memory.refiner)} MB |

## Behavioral memory

| | |
|---|---:|
| refine() sync, memory on − memory off (same client) | ${f(sync.p50 - syncOff.p50)} µs |
| refine() sync, a new client each call − memory off | ${f(syncNew.p50 - syncOff.p50)} µs |
| bytes per key (64-byte records, 8-way sets, shard locks included) | ${bytesPerKey.toFixed(1)} B |
| records a default 32 MB memory holds | ${flood.capacity.toLocaleString('en')} |
| 12M distinct keys (2M requests × 6 new keys) into a default Refiner | ${f(flood.seconds, 1)} s; memory ${mb(flood.bytes)} MB (budget 32 MB), ${flood.size.toLocaleString('en')} records kept |
| peak RSS of that process (sampled every 10k requests) | ${mb(flood.peakRss)} MB, ${mb(flood.rssBefore)} MB before; the same 2M requests with memory off: ${mb(floodOff.peakRss)} MB (memory adds ${mb(flood.peakRss - floodOff.peakRss)} MB) |

Redis rows use a redis-server started on localhost by the benchmark; each call is one EVALSHA of
the store's Lua script over ioredis, reading and updating the request's records (six keys here).
Redis Cluster rows use a 3-master cluster the benchmark creates on localhost (redis-server in
cluster mode, \`redis-cli --cluster create\`, no replicas), running alongside the single instance;
each refine sends the same script once per key (${clusterPerRefine.toFixed(2)} calls per refine here), each to the
master owning the key's slot. Their 64 and 256 in-flight rows alternate with the single instance's
in ${storeRounds.values().next().value.length} rounds of 1.5 s, each row the median of its rounds.

| Redis Cluster, 3 masters: script calls each master served | master 1 | master 2 | master 3 | calls per refine | furthest from an even split |
|---|---:|---:|---:|---:|---:|
${[['10,000 clients, every key their own (ip, /24, device, account, session, email domain)', distinctShares], ['10,000 clients of the rows above (40 /24s, every email at gmail.com, one Arcjet fingerprint for all)', benchShares]].map(([name, x]) => `| ${name} | ${x.shares.map((v, i) => `${(v * 100).toFixed(1)}% (${count(x.calls[i])})`).join(' | ')} | ${x.perRefine.toFixed(2)} | ${(x.worst * 100).toFixed(1)}% |`).join('\n')}

The time Redis spent running the script, per refine (INFO commandstats usec over the same 10,000
clients with every key their own): the work one server does for each refine, which caps the
refines/s that server can serve with its one thread.

| | per refine | the server's cap at that cost |
|---|---:|---:|
| one redis-server: one call of six keys | ${f(singleScript.usec / singleScript.calls)} µs | ${ops(1e6 / (singleScript.usec / singleScript.calls))}/s |
${distinctShares.usPerRefine.map((u, i) => `| Redis Cluster master ${i + 1}: its share of the six one-key calls | ${f(u)} µs | ${ops(1e6 / u)}/s |`).join('\n')}
| Redis Cluster, all three masters together | ${f(distinctShares.usPerRefine.reduce((a, b) => a + b, 0))} µs | |
${[...clientCpu].map(([name, c]) => `| the benchmark's own process (ioredis, the refine), CPU per refine: ${name.replace('refineAsync() with ', '')} | ${f(c.us / c.calls)} µs | |`).join('\n')}

| Redis memory per record (one redis-server ${redisVersion}, emptied, then 10,000 clients with every key their own) | |
|---|---:|
| keys made (${count(recordBytes.keys)}), names of ${recordBytes.keyLength.toFixed(0)} bytes on average (prefix \`rr:\`), values of ~${recordBytes.valueLength} bytes, a TTL of ${recordBytes.ttl} s | |
| used_memory grown per key (key, value, keyspace and expires entries) | ${recordBytes.usedPerKey.toFixed(0)} B |
| MEMORY USAGE per key, median (key and value with their allocations) | ${recordBytes.usageMedian} B |

## Targets

| target | measured | |
|---|---:|---|
${targets.map(([t, m, ok]) => `| ${t} | ${m} | ${ok ? 'met' : '**not met**'} |`).join('\n')}
`
writeFileSync(join(root, 'benches', 'RESULTS.md'), md)
console.log(md)
