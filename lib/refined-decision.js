'use strict'
// The result of a refine. Built from the native output array; reasons and rules are
// materialized on first access, so a caller that only checks isDenied() pays for neither.
const { native, schema } = require('./schema.js')

const O = schema.output
const CONCLUSIONS = O.conclusions
const FEATURES = schema.features
// Flags read as yes/no in reasons: "a cookie header was sent (no)".
const IS_FLAG = FEATURES.map((f) => f.transform === 'Flag')
const THREATS = schema.threats

/** The output of the same refine with its explanation (null when there is nothing to explain). */
function explained(source) {
  if (!source) return null
  const o = new Float64Array(O.width)
  const { nums, at = 0 } = source
  const packed = nums instanceof Float64Array ? nums.subarray(at, at + schema.input.width) : Float64Array.from(nums)
  native.explain(source.engine, packed, source.texts, o)
  return o
}

const formatValue = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(3))

// Rule summaries copy only short strings, finite numbers and booleans, so toJSON() stays safe
// to log whatever the decision held (BigInts, Symbols, megabyte strings, huge arrays).
const MAX_NAME = 64
const MAX_LIST = 16
const name = (v) => (typeof v === 'string' ? v.slice(0, MAX_NAME) : null)
const names = (a) => a.slice(0, MAX_LIST).map((x) => name(typeof x === 'string' ? x : x?.identifiedType))

/** One rule result as received, with its key reason fields (never header or body values). */
function ruleSummary(r) {
  const reason = r?.reason ?? {}
  const out = { type: name(reason.type), state: name(r?.state), conclusion: name(r?.conclusion) }
  for (const key of ['max', 'remaining', 'window', 'reset', 'verified', 'spoofed', 'shieldTriggered']) {
    const v = reason[key]
    if (Number.isFinite(v) || typeof v === 'boolean') out[key] = v
  }
  for (const key of ['denied', 'allowed', 'emailTypes']) {
    if (Array.isArray(reason[key])) out[key] = names(reason[key])
  }
  return out
}

class RefinedDecision {
  #reasons
  #source
  #rules
  #decision

  /**
   * @internal Built by Refiner from its output buffer `o` at `at` (read now: the buffer is
   * reused). `source` ({ engine, nums, at?, texts }: the packed input at `at` in `nums`) re-runs
   * the refine with its explanation when `reasons` is first read, so callers that only check the
   * conclusion never pay for it.
   */
  constructor(o, at, decision, refiner, rulesConclusion, source, degraded = false) {
    this.conclusion = CONCLUSIONS[o[at + O.conclusion]]
    /** What LIVE mode would have concluded (differs from `conclusion` only in DRY_RUN). */
    this.liveConclusion = CONCLUSIONS[o[at + O.live]]
    this.score = o[at + O.score]
    this.threats = { bot: o[at + O.threats], attack: o[at + O.threats + 1], abuse: o[at + O.threats + 2] }
    this.errored = o[at + O.errored] === 1
    /** The shared store could not be reached in time: memory came from this process only. */
    this.degraded = degraded
    // As the packer read it: the caller's object is not read twice.
    const rules = rulesConclusion
    /** The rules' own conclusion (null when no decision or no conclusion was passed). */
    this.rulesConclusion = rules
    const asRefined = rules === 'DENY' || rules === 'CHALLENGE' ? rules : 'ALLOW'
    this.overridden = !this.errored && asRefined !== this.liveConclusion
    this.mode = refiner.mode
    this.profile = refiner.profile
    this.modelVersion = refiner.modelVersion
    this.#source = this.errored ? null : source
    this.#decision = decision
    this.#threat = THREATS[o[at + O.decisive]]
  }

  #threat

  isAllowed() {
    return this.conclusion === 'ALLOW'
  }
  isChallenged() {
    return this.conclusion === 'CHALLENGE'
  }
  isDenied() {
    return this.conclusion === 'DENY'
  }
  /** The refiner itself failed; `conclusion` then comes from the `failMode`. */
  isErrored() {
    return this.errored
  }

  /** Top features behind the decisive threat's score, strongest first. */
  get reasons() {
    if (this.#reasons) return this.#reasons
    const reasons = []
    const raw = explained(this.#source)
    this.#source = null
    for (let i = 0; raw && i < raw[O.reasonCount]; i++) {
      const at = O.reasons + 3 * i
      const index = raw[at]
      const f = FEATURES[index]
      const value = raw[at + 1]
      const contribution = Math.round(raw[at + 2] * 1000) / 1000
      const direction = contribution > 0 ? 'raises' : 'lowers'
      reasons.push({
        feature: f.name,
        group: f.group,
        value,
        contribution,
        threat: this.#threat,
        text: `${f.description} (${IS_FLAG[index] ? (value ? 'yes' : 'no') : formatValue(value)}) ${direction} ${this.#threat} risk`,
      })
    }
    this.#reasons = reasons
    return reasons
  }

  /**
   * What each rule said, as received (read at first access). Empty when the decision's results
   * cannot be read (a getter or proxy of the caller's that throws): logging must not fail.
   */
  get rules() {
    if (this.#rules) return this.#rules
    try {
      const results = this.#decision?.results
      this.#rules = Array.isArray(results) ? results.map(ruleSummary) : []
    } catch {
      this.#rules = []
    }
    return this.#rules
  }

  toJSON() {
    return {
      conclusion: this.conclusion,
      liveConclusion: this.liveConclusion,
      score: this.score,
      threats: this.threats,
      errored: this.errored,
      degraded: this.degraded,
      overridden: this.overridden,
      rulesConclusion: this.rulesConclusion,
      mode: this.mode,
      profile: this.profile,
      modelVersion: this.modelVersion,
      reasons: this.reasons,
      rules: this.rules,
    }
  }
}

module.exports = { RefinedDecision }
