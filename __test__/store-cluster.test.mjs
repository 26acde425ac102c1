// The Redis store on a real Redis Cluster the test creates (redis-server in cluster mode on free
// localhost ports, `redis-cli --cluster create`): 3 masters, one of them with a replica. The same
// records as one Redis and as local memory, no CROSSSLOT, slot migration followed (ASK and MOVED),
// and a master that dies: degraded answers for requests with a key it owned and for no others,
// nothing thrown or queued, then recovery when it comes back or its replica takes over.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import Redis from 'ioredis'
import { Refiner } from '../index.mjs'
import { CHROME } from './fixtures.mjs'
import { startRedis, startRedisCluster, cli } from '../scripts/redis-server.mjs'
import { SECRET, T0, login, agreeWithLocalMemory } from './store-steps.mjs'

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms))
/** Client `i`, whose every key is its own: ip, /24, device, and (for even i) account, email domain and session. */
const client = (i, at = Date.now()) => ({
  at,
  request: { ip: `10.${(i >> 8) & 255}.${i & 255}.7`, headers: { 'user-agent': CHROME }, ...(i % 2 ? {} : { email: `u${i}@d${i}.example` }) },
  context: i % 2 ? {} : { sessionId: `s-${i}` },
})

let cluster
let admin
before(async () => {
  cluster = await startRedisCluster({ masters: 3, replicaOf: [0] })
  admin = new Redis.Cluster(cluster.masters.map((n) => n.url))
  admin.on('error', () => {})
})
// Every Refiner a test opened, closed even when the test failed (else their clients keep the
// process alive, reconnecting to a cluster that is gone).
const opened = []
after(async () => {
  await Promise.all(opened.map((r) => r.close()))
  admin?.disconnect()
  await cluster?.stop()
})

const onCluster = (options = {}) => {
  const r = new Refiner({ profile: 'login', store: { redis: { cluster: cluster.masters.map((n) => n.url) }, secret: SECRET, ...options } })
  opened.push(r)
  return r
}
/** Keys under `prefix` on each running master, as [port, keys]. */
const keysByMaster = async (prefix) => Promise.all(cluster.nodes.filter((n) => n.running).map(async (n) => {
  const role = await cli(n.port, 'role')
  return [n.port, role.startsWith('master') ? (await cli(n.port, '--raw', 'keys', `${prefix}*`)).split('\n').filter(Boolean) : []]
}))

test('on a 3-master cluster the store keeps the same records as one Redis and as local memory, with no CROSSSLOT', async () => {
  const single = await startRedis()
  const prefix = 'agree:'
  const one = new Refiner({ profile: 'login', store: { redis: single.url, secret: SECRET, prefix } })
  opened.push(one)
  const remote = onCluster({ prefix, timeoutMs: 2000 })
  // The single-instance agreement test's steps, through both stores.
  await agreeWithLocalMemory([remote, one])
  // The same keys and, byte for byte, the same records and TTLs as on one Redis.
  const plain = new Redis(single.url)
  const want = (await plain.keys(`${prefix}*`)).sort()
  const held = await keysByMaster(prefix)
  assert.deepEqual(held.flatMap(([, ks]) => ks).sort(), want, JSON.stringify(held))
  assert.equal(want.length, 7 + 2 + 2 + 3 + 1 + 1, '7 accounts, 2 ips, 2 networks, 3 sessions, a device, a domain')
  for (const k of want) {
    assert.equal(await admin.get(k), await plain.get(k), k)
    assert.ok((await admin.ttl(k)) > 0)
  }
  assert.ok(held.filter(([, ks]) => ks.length).length >= 2, `spread over masters: ${held.map(([p, ks]) => `${p}: ${ks.length}`)}`)
  for (const n of cluster.masters) assert.doesNotMatch(await cli(n.port, 'info', 'errorstats'), /CROSSSLOT/)
  plain.disconnect()
  await Promise.all([remote.close(), one.close()])
  await single.stop()
})

test('an ioredis Cluster passed in works too, and a prefix with a hash tag is refused', async () => {
  const own = new Redis.Cluster(cluster.masters.map((n) => n.url), { enableOfflineQueue: false })
  const r = new Refiner({ store: { redis: own, secret: SECRET, prefix: 'passed:' } })
  let d = await r.refineAsync(null, login(1, Date.now()))
  for (let i = 0; d.degraded && i < 50; i++) d = await r.refineAsync(null, login(1, Date.now()))
  assert.equal(d.degraded, false)
  const passed = await keysByMaster('passed:')
  assert.equal(passed.flatMap(([, ks]) => ks).length, 6, JSON.stringify(passed))
  await r.close()
  assert.equal(own.status, 'ready', 'a client passed in stays open')
  assert.throws(() => new Refiner({ store: { redis: own, secret: SECRET, prefix: 'rr:{app}:' } }), { name: 'TypeError', message: /must not hold a hash tag/ })
  assert.throws(() => new Refiner({ store: { redis: { cluster: [] }, secret: SECRET } }), { name: 'TypeError', message: /non-empty array/ })
  new Refiner({ store: { redis: own, secret: SECRET, prefix: 'rr:{}:' } }).close() // an empty tag hashes the whole key
  own.disconnect()
})

/** The refines of `n` concurrent clients, each a promise that must resolve. */
const round = (r, ids, at) => Promise.all(ids.map((i) => r.refineAsync(null, client(i, at))))

test('slots migrating under load: ASK and MOVED are followed, no refine degrades, no count is lost', async () => {
  const prefix = 'moving:'
  const r = onCluster({ prefix, timeoutMs: 2000 })
  const hot = { at: T0, request: { ip: '192.0.2.44', headers: { 'user-agent': 'curl/8' } } }
  assert.equal((await r.refineAsync(null, hot)).degraded, false)
  const [ipKey] = (await keysByMaster(`${prefix}ip:`)).flatMap(([, ks]) => ks)
  const slot = Number(await cli(cluster.masters[0].port, 'cluster', 'keyslot', ipKey))
  const ids = new Map(await Promise.all(cluster.masters.map(async (n) => [n.port, await n.id()])))
  const from = await ownerOf(slot)
  const to = cluster.masters.find((n) => n.port !== from.port)
  let refines = 1
  let degraded = 0
  const load = async () => {
    const ds = await Promise.all([r.refineAsync(null, hot), ...Array.from({ length: 15 }, (_, i) => r.refineAsync(null, client(i, T0)))])
    refines++
    degraded += ds.filter((d) => d.degraded).length
  }
  // By hand, as redis-cli does it: the slot is IMPORTING on the target and MIGRATING on the source,
  // its key moves (then the source answers ASK), and the slot is handed over (then MOVED).
  await cli(to.port, 'cluster', 'setslot', slot, 'importing', ids.get(from.port))
  await cli(from.port, 'cluster', 'setslot', slot, 'migrating', ids.get(to.port))
  await load()
  assert.equal(await cli(from.port, 'migrate', '127.0.0.1', to.port, '', 0, 5000, 'keys', ipKey), 'OK')
  for (let i = 0; i < 5; i++) await load()
  const asked = await cli(to.port, 'info', 'commandstats')
  assert.match(asked, /cmdstat_asking:calls=[1-9]/, 'the key was reached through ASK')
  for (const n of cluster.masters) await cli(n.port, 'cluster', 'setslot', slot, 'node', ids.get(to.port))
  for (let i = 0; i < 5; i++) await load()
  // And in bulk with redis-cli while the load runs: 500 slots from the third master to the first.
  const third = cluster.masters.find((n) => n !== from && n !== to)
  // The slot handed over by hand reaches every node by gossip; redis-cli refuses to reshard until
  // they agree.
  assert.ok(await agreed(cluster.masters[0].port), 'the nodes agree on the slots before the reshard')
  let moving = true
  const reshard = cli(cluster.masters[0].port, '--cluster', 'reshard', `127.0.0.1:${cluster.masters[0].port}`, '--cluster-from', ids.get(third.port), '--cluster-to', ids.get(from.port), '--cluster-slots', 500, '--cluster-yes').finally(() => (moving = false))
  while (moving) await load()
  await reshard
  await cluster.waitUntilOk(cluster)
  await load()
  assert.equal(degraded, 0)
  const fields = (await admin.get(ipKey)).split(',').map(Number)
  assert.equal(fields[4], refines, `requests in the last hour: ${refines} refines, none lost or counted twice`)
  assert.equal((await ownerOf(slot)).port, to.port)
  await r.close()
})

/** Whether redis-cli's own check passes (every node agrees on the slots) within `ms`. */
async function agreed(port, ms = 20000) {
  const deadline = Date.now() + ms
  for (;;) {
    const ok = await cli(port, '--cluster', 'check', `127.0.0.1:${port}`).then((out) => /All nodes agree/.test(out) && !/\[ERR\]/.test(out), () => false)
    if (ok || Date.now() > deadline) return ok
    await sleep(100)
  }
}

/** The master that serves `slot` now. */
async function ownerOf(slot) {
  const slots = JSON.parse(JSON.stringify(await admin.cluster('SLOTS')))
  const [, , [, port]] = slots.find(([lo, hi]) => lo <= slot && slot <= hi)
  return cluster.masters.find((n) => n.port === Number(port)) ?? cluster.nodes.find((n) => n.port === Number(port))
}

/**
 * Clients whose keys are all their own, refined once each (sequentially, so each one's new keys
 * show on the masters that got them): per client, the ports of the masters holding its keys.
 */
async function placed(r, ids) {
  const masters = []
  for (const n of cluster.nodes) if (n.running && (await cli(n.port, 'role')).startsWith('master')) masters.push(n)
  const sizes = async () => Promise.all(masters.map((n) => cli(n.port, 'dbsize').then(Number)))
  const where = new Map()
  let before = await sizes()
  for (const i of ids) {
    assert.equal((await r.refineAsync(null, client(i))).degraded, false)
    const now = await sizes()
    where.set(i, new Set(masters.filter((_, m) => now[m] > before[m]).map((n) => n.port)))
    before = now
  }
  return where
}

/** A store, `n` clients from `first` placed on the masters, master `m` to kill and the clients with a key on it. */
async function victimOf(m, n, first) {
  const r = onCluster({ timeoutMs: 300 })
  const ids = Array.from({ length: n }, (_, i) => first + i)
  const where = await placed(r, ids)
  const victim = cluster.masters[m]
  return { r, ids, where, victim, hit: ids.filter((i) => where.get(i).has(victim.port)) }
}

test('a master killed mid-run: degraded answers only for clients with a key it owned, nothing thrown or queued; recovery when it returns', async () => {
  const { r, ids, where, victim, hit } = await victimOf(1, 120, 1000)
  const spared = ids.filter((i) => !where.get(i).has(victim.port))
  assert.ok(hit.length && spared.length, `${hit.length} clients with a key on the victim, ${spared.length} without`)
  // Another process of the fleet saw one of them fail to log in, 8 times.
  const x = ids.find((i) => i % 2 === 0 && where.get(i).size === 3)
  const peer = onCluster({ timeoutMs: 300 })
  for (let k = 0; k < 8; k++) assert.equal((await peer.observeAsync('login_failed', client(x))).degraded, false)
  // Killed while refines are in flight: each still resolves to an answer.
  const inFlight = round(r, ids)
  await victim.stop()
  for (const d of await inFlight) assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(d.conclusion) && !d.errored)
  // While it is down: degraded exactly for the clients with a key on it, and at once, not after a
  // wait per request. A client kept refining meanwhile must not have those refines replayed later.
  const outage = Date.now()
  let slowest = 0
  for (let k = 0; k < 3; k++) {
    const t = performance.now()
    const ds = await round(r, ids)
    slowest = Math.max(slowest, performance.now() - t)
    assert.deepEqual(ids.filter((_, j) => ds[j].degraded), hit, `round ${k}: degraded for the victim's clients only`)
  }
  assert.ok(slowest < 300, `a round of 120 refines with a node down took ${slowest.toFixed(0)} ms (timeout 300 ms)`)
  // A degraded answer still reads the kinds whose masters are up: the peer's failures count,
  // which this process's local memory alone never saw.
  const partial = await r.refineAsync(null, client(x))
  const alone = r.refine(null, client(x))
  assert.equal(partial.degraded, true)
  console.log(`# abuse during the outage: ${partial.threats.abuse.toFixed(3)} with the live masters' records, ${alone.threats.abuse.toFixed(3)} from local memory alone`)
  assert.ok(partial.threats.abuse > alone.threats.abuse + 0.05, `abuse ${partial.threats.abuse} with the live masters' records, ${alone.threats.abuse} from local memory alone`)
  const probe = hit[0]
  for (let k = 0; k < 20; k++) assert.equal((await r.refineAsync(null, client(probe))).degraded, true)
  // Back (same port and cluster id, its records lost with it: no persistence here).
  await victim.start()
  let back = 0
  const deadline = Date.now() + 15000
  while (Date.now() < deadline) {
    const ds = await round(r, hit)
    if (ds.every((d) => !d.degraded)) break
    back++
    await sleep(100)
  }
  const ds = await round(r, ids)
  assert.deepEqual(ds.filter((d) => d.degraded).length, 0, `recovered ${((Date.now() - outage) / 1000).toFixed(1)} s after the kill`)
  const probeKeys = (await keysByMaster('rr:')).find(([port]) => port === victim.port)[1]
  for (const k of probeKeys) {
    const requests = Number((await admin.get(k)).split(',')[4])
    assert.ok(requests <= back + 2.5, `${k}: ${requests.toFixed(2)} requests counted, the 20+ refines of the outage not replayed`)
  }
  await r.close()
})

test('a master killed for good: its replica takes over and answers stop being degraded', async () => {
  const { r, ids, victim, hit } = await victimOf(0, 60, 2000)
  assert.ok(hit.length > 0)
  await victim.stop()
  const t = Date.now()
  const first = await round(r, ids)
  assert.deepEqual(ids.filter((_, j) => first[j].degraded), hit)
  let ds = first
  while (ds.some((d) => d.degraded) && Date.now() - t < 20000) {
    await sleep(100)
    ds = await round(r, ids)
  }
  assert.equal(ds.filter((d) => d.degraded).length, 0, 'no degraded answer once the replica is master')
  assert.match(await cli(cluster.replicas[0].port, 'role'), /^master/)
  console.log(`# replica promoted and answering ${((Date.now() - t) / 1000).toFixed(1)} s after the kill (cluster-node-timeout 2 s)`)
  await r.close()
})
