'use strict'
const { native, schema } = require('./schema.js')
const { pack, WIDTH } = require('./pack.js')
const { RefinedDecision } = require('./refined-decision.js')

const OUT = schema.output.width
const CONCLUSION_SLOT = schema.input.slots.Conclusion
/** The rules' conclusion as packed (code 0: none given). */
const rulesConclusion = (nums) => schema.input.conclusions[nums[CONCLUSION_SLOT] - 1] ?? null
const PROFILES = schema.profiles
const MODES = ['LIVE', 'DRY_RUN']
const FAIL_MODES = ['open', 'closed']

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
  return {
    model: model instanceof Uint8Array && !Buffer.isBuffer(model) ? Buffer.from(model) : model,
    profile: oneOf(options, 'profile', PROFILES),
    mode: oneOf(options, 'mode', MODES),
    failMode: oneOf(options, 'failMode', FAIL_MODES),
    challenge: unit(thresholds, 'challenge'),
    deny: unit(thresholds, 'deny'),
  }
}

function copyOf(nums) {
  const c = new Array(WIDTH)
  for (let i = 0; i < WIDTH; i++) c[i] = nums[i]
  return c
}

class Refiner {
  #engine
  #nums = new Float64Array(WIDTH)
  #out = new Float64Array(OUT)

  /** @param {import('../index').RefinerOptions} [options] */
  constructor(options = {}) {
    const o = engineOptions(options)
    try {
      this.#engine = new native.Engine(o)
    } catch (e) {
      // The core names the option; InvalidArg means the caller's value was out of range.
      if (e?.code === 'InvalidArg') throw new RangeError(`options.${e.message}`)
      throw e
    }
    this.profile = o.profile ?? 'default'
    this.mode = o.mode ?? 'LIVE'
    this.failMode = o.failMode ?? 'open'
    this.modelVersion = this.#engine.modelVersion
  }

  /** Refines synchronously, in microseconds, on the calling thread. */
  refine(decision, input) {
    const texts = pack(this.#nums, decision, input)
    this.#engine.refine(this.#nums, texts, this.#out)
    // The packed input is kept to explain the decision on demand; copied into a plain array,
    // which costs a third of a new typed array (the buffer itself is reused).
    return new RefinedDecision(this.#out, decision, this, rulesConclusion(this.#nums), { engine: this.#engine, nums: copyOf(this.#nums), texts })
  }

  /**
   * The same as `refine`, as a Promise. The work is done on the calling thread: a thread-pool hop
   * costs ~35 µs on 2 cores, many times a refine, and there is no I/O to wait for.
   */
  refineAsync(decision, input) {
    try {
      return Promise.resolve(this.refine(decision, input))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /** Refines `items` (`{ decision, request, context }` each) in parallel on all cores. */
  refineBatch(items) {
    if (!Array.isArray(items)) throw new TypeError('items must be an array')
    let n, nums, texts, decisions
    try {
      n = items.length
      nums = new Float64Array(n * WIDTH)
      texts = new Array(n)
      decisions = new Array(n)
      for (let i = 0; i < n; i++) {
        const item = items[i]
        if (item === null || typeof item !== 'object') throw new TypeError(`items[${i}] must be an object`)
        try {
          decisions[i] = item.decision
          texts[i] = pack(nums.subarray(i * WIDTH, (i + 1) * WIDTH), decisions[i], item)
        } catch (e) {
          throw new TypeError(`items[${i}].${e instanceof TypeError ? e.message : `decision could not be read: ${e}`}`, { cause: e })
        }
      }
    } catch (e) {
      if (e instanceof TypeError) throw e
      throw new TypeError('items could not be read', { cause: e })
    }
    const out = new Float64Array(n * OUT)
    this.#engine.refineBatch(nums, texts, out)
    const results = new Array(n)
    for (let i = 0; i < n; i++) {
      const row = nums.subarray(i * WIDTH, (i + 1) * WIDTH)
      results[i] = new RefinedDecision(out.subarray(i * OUT, (i + 1) * OUT), decisions[i], this, rulesConclusion(row), { engine: this.#engine, nums: row, texts: texts[i] })
    }
    return results
  }
}

let defaultRefiner

/** `const aiDecision = await refine(decision)`: a lazily built default Refiner, as a Promise. */
async function refine(decision, input) {
  defaultRefiner ??= new Refiner()
  return defaultRefiner.refine(decision, input)
}

/** Names and meaning of the model's input features, from the native schema. */
const features = () => schema.features.map(({ name, group, description, transform }) => ({ name, group, description, flag: transform === 'Flag' }))

module.exports = { Refiner, RefinedDecision, refine, features }
