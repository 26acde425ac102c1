'use strict'
// Behavioral memory shared through Redis, for fleets of instances.
//
// One round trip per refine: a Lua script reads the records of every key a request has, returns
// them as they were, and updates them as the in-process memory does (the same decay, sketch and
// increments, whose constants come from the native schema). Records are strings under keyed
// hashes with a TTL. The client is ioredis, from JS: the addon stays small (a Rust Redis client
// and its runtime would add megabytes to every install, used or not), and the I/O runs on the
// app's own event loop. Any failure or timeout resolves to null, never throws: the caller then
// answers from local memory and marks the decision degraded.
//
// On Redis Cluster a script may only touch keys of one slot (else CROSSSLOT), and a request's six
// keys must spread over the nodes, so the store sends the same script once per key (one key, so
// one slot, always), all at once: ioredis routes each to the node owning its slot, follows MOVED
// and ASK while slots migrate, and sends a node's commands back to back without waiting for
// replies, so each node costs one round trip and the refine waits for the slowest. The price is
// on the client: six commands to build, write and parse instead of one (~3× the client's CPU per
// refine in benches/RESULTS.md). A key whose node fails or is late
// comes back NaN, and the refine reads that kind from local memory (marked degraded); the others
// still come from the cluster.
const { schema } = require('../schema.js')

const M = schema.memory
const lua = (xs) => `{${xs.join(',')}}`

// Mirrors Record::record in crates/refiner-core/src/memory/record.rs; a test checks they agree.
// Fields: 1 first, 2 last, 3 generation, 4..10 counters, 11..14 sketch halves (current lo, hi,
// previous lo, hi). Returns each key's record as it was before, '' for a new key.
const SCRIPT = `
local TAU = ${lua(M.tauS)}
local INCREMENTS = ${lua(M.increments.map((cs) => lua(cs.map((c) => c + 1))))}
local GEN = ${M.generationS}
local NC = #TAU
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local inc = INCREMENTS[tonumber(ARGV[3]) + 1]
local out = {}
for i, key in ipairs(KEYS) do
  local stored = redis.call('GET', key)
  local r = {}
  if stored then
    for v in string.gmatch(stored, '[^,]+') do r[#r + 1] = tonumber(v) end
  end
  if #r ~= ${M.recordFields} then
    stored = false
    r = {now, now, math.floor(now / GEN)}
    for k = 4, ${M.recordFields} do r[k] = 0 end
  end
  out[i] = stored or ''
  local t = math.max(now, r[2])
  local dt = t - r[2]
  if dt > 0 then
    for k = 1, NC do r[3 + k] = r[3 + k] * math.exp(-dt / TAU[k]) end
  end
  r[2] = t
  local gen = math.floor(t / GEN)
  local lo, hi = 4 + NC, 5 + NC
  if gen - r[3] == 1 then
    r[lo + 2], r[hi + 2], r[lo], r[hi] = r[lo], r[hi], 0, 0
  elseif gen - r[3] > 1 then
    r[lo], r[hi], r[lo + 2], r[hi + 2] = 0, 0, 0, 0
  end
  r[3] = gen
  for _, c in ipairs(inc) do r[3 + c] = r[3 + c] + 1 end
  local member = tonumber(ARGV[3 + i])
  if member >= 0 then
    local at = member < 32 and lo or hi
    local v = bit.bor(r[at], bit.lshift(1, member % 32))
    if v < 0 then v = v + 4294967296 end
    r[at] = v
  end
  for k = 1, #r do r[k] = string.format('%.17g', r[k]) end
  redis.call('SET', key, table.concat(r, ','), 'EX', ttl)
end
return out
`

const RECORD_FIELDS = M.recordFields
/** ioredis states (Redis and Cluster) of a first connection under way, worth waiting for. */
const WAITING = new Set(['wait', 'connecting', 'connect'])
const KINDS = M.kinds

/** Options as given to `new Refiner({ store })`, checked. */
function storeOptions(store) {
  if (store === null || typeof store !== 'object') throw new TypeError('options.store must be an object')
  const { redis, secret, timeoutMs = 50, ttlSeconds = 86400, prefix = 'rr:' } = store
  const cluster = redis?.cluster !== undefined && typeof redis.evalsha !== 'function'
  if (cluster) {
    if (!Array.isArray(redis.cluster) || !redis.cluster.length || !redis.cluster.every((u) => typeof u === 'string')) {
      throw new TypeError('options.store.redis.cluster must be a non-empty array of redis:// URLs (or host:port) of cluster nodes')
    }
  } else if (typeof redis !== 'string' && (redis === null || typeof redis !== 'object' || typeof redis.evalsha !== 'function')) {
    throw new TypeError('options.store.redis must be a redis:// URL, { cluster: [urls] } or an ioredis client (Redis or Cluster)')
  }
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new TypeError('options.store.secret must be a string of at least 16 characters: every process sharing the store hashes its keys with it, and a guessable one would let anyone who reads Redis test which ip or email a record belongs to')
  }
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= 60000)) throw new RangeError(`options.store.timeoutMs must be between 0 and 60000, but is ${timeoutMs}`)
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60) throw new RangeError(`options.store.ttlSeconds must be an integer ≥ 60, but is ${ttlSeconds}`)
  if (typeof prefix !== 'string') throw new TypeError('options.store.prefix must be a string')
  if ((cluster || redis.isCluster === true) && hashTag(prefix)) {
    throw new TypeError(`options.store.prefix must not hold a hash tag ({…}) on Redis Cluster: every key would hash to the slot of '${hashTag(prefix)}', so one node would hold all of them`)
  }
  return { redis, secret, timeoutMs, ttlSeconds, prefix }
}

/** The hash tag Redis Cluster would hash a key starting with `prefix` by (the braces' content), or ''. */
function hashTag(prefix) {
  const open = prefix.indexOf('{')
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1)
  return close > open + 1 ? prefix.slice(open + 1, close) : ''
}

function connect(url) {
  let Redis
  try {
    Redis = require('ioredis')
  } catch (e) {
    throw new Error("options.store.redis needs the 'ioredis' package: npm install ioredis", { cause: e })
  }
  // Fail fast while disconnected (no queue, no retries per command); reconnect in the background.
  if (typeof url === 'string') return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: false, retryStrategy: (n) => Math.min(50 * n, 1000) })
  // The same for a cluster: a command for a node that is down fails at once instead of waiting in
  // the offline queue or in ioredis's delay queue for a failover (retryDelayOn… 0); MOVED and ASK
  // are still followed (up to maxRedirections), and the slot map refreshes in the background.
  return new Redis.Cluster(url.cluster, {
    enableOfflineQueue: false,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 0,
    clusterRetryStrategy: (n) => Math.min(100 * n, 1000),
    slotsRefreshTimeout: 1000,
    redisOptions: { maxRetriesPerRequest: 0, connectTimeout: 1000 },
  })
}

/** Resolves when the connection to one cluster node is ready, or has failed (it is then left to the refines' own handling). */
function opened(node) {
  if (node.status === 'ready') return undefined
  const done = new Promise((resolve) => {
    node.once('ready', resolve)
    node.once('end', resolve)
  })
  if (node.status === 'wait') node.connect().catch(() => {})
  return done
}

class RedisStore {
  #client
  #own
  #timeoutMs
  #ttl
  #prefix
  #ready
  #opened = false
  #cluster

  /** @param {ReturnType<typeof storeOptions>} o */
  constructor(o) {
    this.#own = typeof o.redis === 'string' || typeof o.redis.evalsha !== 'function'
    this.#client = this.#own ? connect(o.redis) : o.redis
    this.#cluster = this.#client.isCluster === true
    // An unreachable Redis is an expected state here, reported through `degraded`.
    if (this.#own) this.#client.on('error', () => {})
    this.#client.defineCommand('refinerRecord', { lua: SCRIPT })
    // One listener however many refines wait for the first connection.
    this.#ready = new Promise((resolve) => this.#client.once('ready', resolve))
    // A cluster is ready once it knows the slots; its connections to the masters open on first
    // use, and a command for a master still connecting fails at once (no offline queue). So the
    // first refines wait for those connections too (within their timeout).
    if (this.#cluster) this.#ready = this.#ready.then(() => Promise.all(this.#client.nodes('master').map(opened)))
    this.#ready.then(() => (this.#opened = true))
    // A client made with lazyConnect waits for its first command; ours waits for it to be ready.
    if (this.#client.status === 'wait') this.#client.connect().catch(() => {})
    this.#timeoutMs = o.timeoutMs
    this.#ttl = o.ttlSeconds
    this.#prefix = o.prefix
  }

  /**
   * Records event `code` at `nowS` under `keys` (from the engine's storeKeys) and resolves to the
   * records as they were (RECORD_FIELDS numbers per key kind), or to null when Redis failed. On a
   * cluster, a kind whose node failed has NaN fields (see #exchangeEach).
   */
  async exchange(keys, nowS, code) {
    const names = []
    const argv = [Math.floor(nowS), this.#ttl, code]
    const slots = []
    for (let k = 0; k < keys.length; k++) {
      if (!keys[k]) continue
      const colon = keys[k].indexOf(':')
      names.push(`${this.#prefix}${KINDS[k]}:${keys[k].slice(0, colon)}`)
      argv.push(keys[k].slice(colon + 1))
      slots.push(k)
    }
    const records = new Float64Array(KINDS.length * RECORD_FIELDS)
    if (!names.length) return records
    let timer
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), this.#timeoutMs)
    })
    try {
      // The first connection is worth waiting for (within the timeout); later outages fail fast
      // until the client has reconnected, so nothing queues up while Redis is away.
      const status = this.#client.status
      if (status !== 'ready' || !this.#opened) {
        if (!WAITING.has(status) && status !== 'ready') throw new Error('not connected')
        await Promise.race([this.#ready, timeout])
      }
      if (this.#cluster) return await this.#exchangeEach(names, argv, slots, records, timeout)
      const reply = await Promise.race([this.#client.refinerRecord(names.length, ...names, ...argv), timeout])
      for (let i = 0; i < slots.length; i++) {
        if (!reply[i]) continue
        const fields = String(reply[i]).split(',')
        for (let f = 0; f < RECORD_FIELDS; f++) records[slots[i] * RECORD_FIELDS + f] = Number(fields[f])
      }
      return records
    } catch {
      return null
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * The cluster's exchange: one script call per key, all sent at once. A key whose call failed or
   * had not answered when `timeout` fired gets NaN fields (local memory answers for its kind);
   * null when no key got an answer.
   */
  async #exchangeEach(names, argv, slots, records, timeout) {
    const [now, ttl, code] = argv
    let answered = 0
    const replies = names.map(() => undefined)
    const calls = names.map((name, i) => this.#client.refinerRecord(1, name, now, ttl, code, argv[3 + i]).then((reply) => {
      replies[i] = reply
      answered++
    }, () => {}))
    await Promise.race([Promise.all(calls), timeout.catch(() => {})])
    if (!answered) return null
    for (let i = 0; i < slots.length; i++) {
      const at = slots[i] * RECORD_FIELDS
      if (replies[i] === undefined) records[at] = NaN
      else if (replies[i][0]) {
        const fields = String(replies[i][0]).split(',')
        for (let f = 0; f < RECORD_FIELDS; f++) records[at + f] = Number(fields[f])
      }
    }
    return records
  }

  /** Closes the connection this store opened (a client passed in stays the caller's). */
  async close() {
    if (this.#own) await this.#client.quit().catch(() => this.#client.disconnect())
  }
}

module.exports = { RedisStore, storeOptions }
