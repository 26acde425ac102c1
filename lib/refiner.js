'use strict'
const { native, schema } = require('./schema.js')
const { pack, WIDTH } = require('./pack.js')
const { RefinedDecision, copyRecords, recordLength } = require('./refined-decision.js')
const { RedisStore, storeOptions } = require('./store/redis.js')
const { CHUNK_ITEMS, takeChunk, giveBack, writeTexts } = require('./chunks.js')

const OUT = schema.output.width
const CONCLUSION_SLOT = schema.input.slots.Conclusion
const AT_SLOT = schema.input.slots.At
const CONCLUSION_CODES = schema.input.codes.conclusion
const DENY_CODE = CONCLUSION_CODES.DENY
const CONCLUSION_NAMES = Object.fromEntries(Object.entries(CONCLUSION_CODES).map(([n, c]) => [c, n]))
const { events: EVENTS, eventCodes: EVENT_CODES, requestCodes: [REQUEST_CODE, DENIED_REQUEST_CODE] } = schema.memory
const RECORD_FIELDS = schema.memory.recordFields
/** The rules' conclusion as packed (code 0: none given). */
const rulesConclusion = (nums) => CONCLUSION_NAMES[nums[CONCLUSION_SLOT]] ?? null
const { profiles: PROFILES, modes: MODES, failModes: FAIL_MODES } = schema

function oneOf(options, key, allowed) {
  const v = options[key]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw new TypeError(`options.${key} must be a string`)
  if (!allowed.includes(v)) throw new RangeError(`options.${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, but is '${v}'`)
  return v
}

function unit(thresholds, key) {
  const v = thresholds[key]
  if (v === undefined) return undefined
  if (typeof v !== 'number') throw new TypeError(`options.thresholds.${key} must be a number`)
  if (!(v >= 0 && v <= 1)) throw new RangeError(`options.thresholds.${key} must be between 0 and 1, but is ${v}`)
  return v
}

function engineOptions(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const { model } = options
  if (model !== undefined && typeof model !== 'string' && !Buffer.isBuffer(model) && !(model instanceof Uint8Array)) {
    throw new TypeError('options.model must be a path string or a Buffer')
  }
  const thresholds = options.thresholds ?? {}
  if (typeof thresholds !== 'object') throw new TypeError('options.thresholds must be an object')
  const { liftUnreadable } = options
  if (liftUnreadable !== undefined && typeof liftUnreadable !== 'boolean') throw new TypeError('options.liftUnreadable must be a boolean')
  return {
    model: model instanceof Uint8Array && !Buffer.isBuffer(model) ? Buffer.from(model) : model,
    profile: oneOf(options, 'profile', PROFILES),
    mode: oneOf(options, 'mode', MODES),
    failMode: oneOf(options, 'failMode', FAIL_MODES),
    challenge: unit(thresholds, 'challenge'),
    deny: unit(thresholds, 'deny'),
    liftUnreadable,
  }
}

const MEM = schema.memory
const camel = (name) => name.replace(/_(\w)/g, (_, c) => c.toUpperCase())

/** A snapshot as numbers (known, age, distinct, counters per key kind) → an object per kind. */
function snapshotObject(values) {
  const out = {}
  MEM.kinds.forEach((kind, k) => {
    const v = values.slice(k * MEM.entryFields, (k + 1) * MEM.entryFields)
    const entry = { known: v[0] === 1, ageS: v[1], distinct: v[2] }
    MEM.counters.forEach((c, i) => (entry[c] = v[3 + i]))
    out[camel(kind)] = entry
  })
  return out
}

const nativeOf = new WeakMap()

/** A bounded behavioral memory, which several Refiners may share. */
class Memory {
  /** @param {{ maxBytes?: number, secret?: string }} [options] */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
    const { maxBytes, secret } = options
    if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !Number.isFinite(maxBytes))) throw new TypeError('options.maxBytes must be a number')
    if (secret !== undefined && typeof secret !== 'string') throw new TypeError('options.secret must be a string')
    let m
    try {
      m = new native.Memory(maxBytes, secret)
    } catch (e) {
      if (e?.code === 'InvalidArg') throw new RangeError(`options.${e.message.replace(/^memory\./, '')}`)
      throw e
    }
    nativeOf.set(this, m)
    this.keyed = secret !== undefined
  }
  /** Bytes held, whatever is stored: never more than maxBytes. */
  get bytes() {
    return nativeOf.get(this).bytes
  }
  /** Records it holds before it evicts the coldest. */
  get capacity() {
    return nativeOf.get(this).capacity
  }
  /** Records in use (scans the table). */
  size() {
    return nativeOf.get(this).size()
  }
}

/** Whether a cluster store left some kinds to local memory (their first field NaN). */
function partial(records) {
  for (let at = 0; at < records.length; at += RECORD_FIELDS) if (Number.isNaN(records[at])) return true
  return false
}

/** The memory a Refiner uses: its own (default), a shared one, or none. */
function memoryOf(options, store) {
  const m = options.memory
  if (m === false) {
    if (store) throw new TypeError('options.memory cannot be false with options.store: local memory answers when the store cannot')
    return undefined
  }
  if (m instanceof Memory) {
    if (store && !m.keyed) throw new TypeError('options.memory must be created with the store\'s secret (new Memory({ secret })) to share keys with it')
    return nativeOf.get(m)
  }
  if (m !== undefined && (m === null || typeof m !== 'object')) throw new TypeError('options.memory must be false, { maxBytes }, or a Memory')
  return nativeOf.get(new Memory({ maxBytes: m?.maxBytes, secret: store?.secret }))
}

class Refiner {
  #engine
  #store
  #nums = new Float64Array(WIDTH)
  #out = new Float64Array(OUT)

  /** @param {import('../index').RefinerOptions} [options] */
  constructor(options = {}) {
    const o = engineOptions(options)
    const store = options.store === undefined ? undefined : storeOptions(options.store)
    const memory = memoryOf(options, store)
    try {
      this.#engine = native.createEngine(o, memory)
    } catch (e) {
      // The core names the option; InvalidArg means the caller's value was out of range.
      if (e?.code === 'InvalidArg') throw new RangeError(`options.${e.message}`)
      throw e
    }
    this.profile = o.profile ?? 'default'
    this.mode = o.mode ?? 'LIVE'
    this.failMode = o.failMode ?? 'open'
    this.modelVersion = native.modelVersion(this.#engine)
    // Connects last: nothing above can leave a connection open by throwing.
    this.#store = store && new RedisStore(store)
  }

  /** Refines synchronously, in microseconds, on the calling thread. */
  refine(decision, input) {
    const texts = pack(this.#nums, decision, input)
    const out = this.#out
    native.refine(this.#engine, this.#nums, texts, out)
    // The refine's record (its features that are not 0) is kept to explain it on demand.
    return new RefinedDecision(out, 0, decision, this, rulesConclusion(this.#nums), { engine: this.#engine, records: copyRecords(out, 1), at: 0 })
  }

  /**
   * The same as `refine`, as a Promise. Without a store the work is done on the calling thread: a
   * thread-pool hop costs ~35 µs on 2 cores, many times a refine. With a store, memory comes from
   * one round trip to it; when that fails or times out, from local memory, marked `degraded`.
   */
  refineAsync(decision, input) {
    try {
      if (!this.#store) return Promise.resolve(this.refine(decision, input))
      // Buffers of its own: other refines run while this one waits for the store.
      const nums = new Float64Array(WIDTH)
      const texts = pack(nums, decision, input)
      return this.#refineStored(nums, texts, decision)
    } catch (e) {
      return Promise.reject(e)
    }
  }

  async #refineStored(nums, texts, decision) {
    const records = await this.#exchange(nums, texts, nums[CONCLUSION_SLOT] === DENY_CODE ? DENIED_REQUEST_CODE : REQUEST_CODE)
    const out = new Float64Array(OUT)
    if (records) native.refineStored(this.#engine, nums, texts, records, out)
    else native.refine(this.#engine, nums, texts, out)
    return new RefinedDecision(out, 0, decision, this, rulesConclusion(nums), { engine: this.#engine, records: out, at: schema.output.record }, !records || partial(records))
  }

  /**
   * Records an outcome the refiner cannot see (`type`: 'login_failed', 'login_ok',
   * 'payment_declined', 'payment_ok', 'signup_confirmed' or 'chargeback') under the keys of
   * `input` ({ request, context, at }, as for refine), in local memory.
   */
  observe(type, input) {
    const texts = this.#packEvent(type, input)
    native.observe(this.#engine, type, this.#nums, texts)
  }

  /** `observe`, also recorded in the store; resolves to `{ degraded }` (true: the store failed). */
  async observeAsync(type, input) {
    const nums = new Float64Array(WIDTH)
    const texts = this.#packEvent(type, input, nums)
    native.observe(this.#engine, type, nums, texts)
    if (!this.#store) return { degraded: false }
    const records = await this.#exchange(nums, texts, EVENT_CODES[type])
    return { degraded: !records || partial(records) }
  }

  /** Records event `code` in the store at the input's time (fixed to now when it has none, so
   * the store and local memory agree); resolves to the records as they were, or null. */
  #exchange(nums, texts, code) {
    nums[AT_SLOT] ||= Date.now()
    return this.#store.exchange(native.storeKeys(this.#engine, nums, texts), nums[AT_SLOT] / 1000, code)
  }

  #packEvent(type, input, nums = this.#nums) {
    if (typeof type !== 'string') throw new TypeError('type must be a string')
    if (!Object.hasOwn(EVENT_CODES, type)) throw new RangeError(`type must be one of ${EVENTS.map((e) => `'${e}'`).join(', ')}, but is '${type}'`)
    return pack(nums, null, input)
  }

  /**
   * What local memory knows under the keys of `input` at `input.at` (or now), without recording:
   * `{ ip: { known, ageS, distinct, requests1m, … }, network, device, account, session, emailDomain }`.
   */
  recall(input) {
    const texts = pack(this.#nums, null, input)
    return snapshotObject(native.recall(this.#engine, this.#nums, texts))
  }

  /** Closes the store connection this Refiner opened; local memory keeps working. */
  async close() {
    await this.#store?.close()
  }

  /** Refines `items` (`{ decision, request, context }` each) in parallel on all cores. */
  refineBatch(items) {
    const batch = this.#batch(items)
    const nums = new Float64Array(batch.n * WIDTH)
    this.#packItems(items, batch, 0, batch.n, nums)
    const out = new Float64Array(batch.n * OUT)
    native.refineBatch(this.#engine, nums, batch.texts.join('\0'), out)
    return this.#results(out, batch, new Array(batch.n), 0, batch.n)
  }

  /**
   * `refineBatch` without blocking the event loop: items are packed on the JS thread in chunks
   * that yield to it, and scored on a pool that leaves the loop a core. A bad item rejects before
   * any is scored.
   */
  async refineBatchAsync(items) {
    const batch = this.#batch(items)
    // Every item is read before any is refined, so a bad one throws before memory records the
    // rest. A chunk is packed for PACK_MS at most, in buffers kept from earlier batches, its texts
    // as UTF-8 bytes: off the V8 heap, the chunks waiting their turn are not copied by every
    // young-generation collection and promoted (as strings, ~8 MB per 10,000 items).
    const parts = []
    let scoring
    try {
      for (let start = 0; start < batch.n; ) {
        const chunk = takeChunk()
        const end = this.#packItems(items, batch, start, Math.min(batch.n, start + CHUNK_ITEMS), chunk.nums, performance.now() + PACK_MS)
        parts.push({ chunk, start, end, texts: writeTexts(chunk, batch.texts.slice(start, end).join('\0')) })
        batch.texts.fill(undefined, start, end)
        start = end
        await new Promise(setImmediate)
      }
      const results = new Array(batch.n)
      // One chunk on the thread pool at a time, in order (as refineBatch records them in memory);
      // the next is sent before this one's results are built, so the workers do not wait for them.
      // Its outcome rows go to the one of two buffers that is not being read.
      const outs = [new Float64Array(CHUNK_ITEMS * OUT), new Float64Array(CHUNK_ITEMS * OUT)]
      const score = (c) => {
        const { chunk, start, end, texts } = parts[c]
        return native.refineBatchTask(this.#engine, chunk.nums.subarray(0, (end - start) * WIDTH), texts, outs[c & 1].subarray(0, (end - start) * OUT))
      }
      scoring = parts.length > 0 && score(0)
      for (let c = 0; c < parts.length; c++) {
        await scoring
        const { chunk, start, end } = parts[c]
        parts[c] = undefined
        giveBack(chunk)
        if (c + 1 < parts.length) scoring = score(c + 1)
        this.#results(outs[c & 1], batch, results, start, end)
      }
      return results
    } finally {
      // Packed chunks not scored (after a bad item or a failed chunk) are given back once no task reads them.
      const rest = () => parts.forEach((part) => part && giveBack(part.chunk))
      if (scoring) scoring.then(rest, rest)
      else rest()
    }
  }

  #batch(items) {
    if (!Array.isArray(items)) throw new TypeError('items must be an array')
    const n = items.length
    return { n, texts: new Array(n), decisions: new Array(n), rules: new Array(n) }
  }

  /**
   * Packs items[start..end) into the batch, their rows into `nums`, stopping early once past
   * `deadline` (a performance.now() time); returns where it stopped. A bad item throws a TypeError
   * naming it.
   */
  #packItems(items, batch, start, end, nums, deadline = Infinity) {
    try {
      for (let i = start; i < end; i++) {
        const item = items[i]
        if (item === null || typeof item !== 'object') throw new TypeError(`items[${i}] must be an object`)
        try {
          batch.decisions[i] = item.decision
          // Packed in the reused buffer and copied: cheaper than a view of the batch's per item.
          batch.texts[i] = pack(this.#nums, batch.decisions[i], item)
        } catch (e) {
          throw new TypeError(`items[${i}].${e instanceof TypeError ? e.message : `decision could not be read: ${e}`}`, { cause: e })
        }
        nums.set(this.#nums, (i - start) * WIDTH)
        batch.rules[i] = rulesConclusion(this.#nums)
        // The clock every 8 items: a read costs ~90 ns, ~5% of a plain item's packing.
        if ((i & 7) === 7 && performance.now() > deadline) return i + 1
      }
      return end
    } catch (e) {
      if (e instanceof TypeError) throw e
      throw new TypeError('items could not be read', { cause: e })
    }
  }

  /** Results of items[start..end) from `out`, their outcomes' rows from its start; `out` may be reused after. */
  #results(out, batch, results, start, end) {
    const records = copyRecords(out, end - start)
    for (let i = start, k = 0; i < end; i++) {
      results[i] = new RefinedDecision(out, (i - start) * OUT, batch.decisions[i], this, batch.rules[i], { engine: this.#engine, records, at: k })
      k += recordLength(records, k)
    }
    return results
  }
}

// How long refineBatchAsync packs before it yields to the event loop: CHUNK_ITEMS plain items
// take ~0.5 ms, and a few with 64 KB bodies can take as long.
const PACK_MS = 1

let defaultRefiner

/** `const aiDecision = await refine(decision)`: a lazily built default Refiner, as a Promise. */
async function refine(decision, input) {
  defaultRefiner ??= new Refiner()
  return defaultRefiner.refine(decision, input)
}

/** Names and meaning of the model's input features, from the native schema. */
const features = () => schema.features.map(({ name, group, description, transform }) => ({ name, group, description, flag: transform === 'Flag' }))

module.exports = { Refiner, RefinedDecision, Memory, refine, features }
