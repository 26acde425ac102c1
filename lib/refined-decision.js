'use strict'
// The result of a refine. Built from the native output array; reasons and rules are
// materialized on first access, so a caller that only checks isDenied() pays for neither.
const { native, schema } = require('./schema.js')

const O = schema.output
const R = schema.reasons
const CONCLUSIONS = O.conclusions
const BASES = O.bases
const FEATURES = schema.features
// Flags read as yes/no in reasons: "a cookie header was sent (no)".
const IS_FLAG = FEATURES.map((f) => f.transform === 'Flag')
const THREATS = schema.threats

/** Length of the record (what `explain` takes) that starts at `at` of `r`: its fixed fields, then
 * an (index, value) pair per feature that is not 0. */
const recordLength = (r, at) => O.features - O.record + 2 * r[at + O.featureCount - O.record]

/**
 * The records of the `n` outcome rows of `o`, back to back in one array (a copy, as `o` is reused): a few hundred bytes a
 * refine instead of its 1.4 KB row. On the V8 heap, not in an ArrayBuffer: V8 starts a full
 * collection when ArrayBuffers grow 64 MB past what the last one left, however large the heap,
 * while the heap's own limit grows with it.
 */
function copyRecords(o, n) {
  let size = 0
  for (let i = 0; i < n; i++) size += recordLength(o, i * O.width + O.record)
  const records = new Array(size)
  for (let i = 0, k = 0; i < n; i++) {
    const from = i * O.width + O.record
    for (let j = 0, len = recordLength(o, from); j < len; j++) records[k++] = o[from + j]
  }
  return records
}

const formatValue = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(3))
const shown = (index, value) => (IS_FLAG[index] ? (value ? 'yes' : 'no') : formatValue(value))

/** Why a piece of evidence is named, by the verdict's basis. */
const EVIDENCE_TEXT = {
  LIFTED: () => 'shows a real user to the server: the rules\' denial is lifted',
  ESCALATED: (threat) => `is evidence of ${threat}: raised above the rules`,
  KEPT_DECLARED_BOT: () => 'declares a program, or no browser: the bot rule\'s denial stands',
  KEPT_PAYLOAD: () => 'carries a payload the analysis confirms or finds suspicious: the shield\'s denial stands',
}

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
  #threat

  /**
   * @internal Built by Refiner from its output buffer `o` at `at`. `source` is `{ engine, records,
   * at }`: an array this decision may keep that holds its record at `at`, which `explain` turns into
   * reasons when they are first read.
   */
  constructor(o, at, decision, refiner, rulesConclusion, source, degraded = false) {
    this.conclusion = CONCLUSIONS[o[at + O.conclusion]]
    /** What LIVE mode would have concluded (differs from `conclusion` only in DRY_RUN). */
    this.liveConclusion = CONCLUSIONS[o[at + O.live]]
    this.score = o[at + O.score]
    this.threats = { bot: o[at + O.threats], attack: o[at + O.threats + 1], abuse: o[at + O.threats + 2] }
    this.errored = o[at + O.errored] === 1
    /** Why the conclusion is what it is: 'RULES', 'LIFTED', 'ESCALATED' or 'KEPT_…'. */
    this.basis = BASES[o[at + O.basis]]
    /** The shared store could not be reached in time: memory came from this process only. */
    this.degraded = degraded
    /** The rules' own conclusion (null when no decision or no conclusion was passed). */
    this.rulesConclusion = rulesConclusion
    /** The LIVE conclusion differs from the rules' (never for an errored refine). */
    this.overridden = o[at + O.overridden] === 1
    this.mode = refiner.mode
    this.profile = refiner.profile
    this.modelVersion = refiner.modelVersion
    this.#source = this.errored ? null : source
    this.#decision = decision
    this.#threat = THREATS[o[at + O.decisive]]
  }

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

  /**
   * The evidence the basis rests on (`evidence: true`, first), then the features that pushed the
   * decisive threat's score most, strongest first.
   */
  get reasons() {
    if (this.#reasons) return this.#reasons
    const reasons = []
    const source = this.#source
    this.#source = null
    if (source) {
      const { engine, records, at } = source
      const record = new Float64Array(recordLength(records, at))
      for (let i = 0; i < record.length; i++) record[i] = records[at + i]
      const raw = new Float64Array(R.width)
      native.explain(engine, record, raw)
      for (let i = 0; i < raw[R.count]; i++) {
        const at = R.first + R.stride * i
        const index = raw[at]
        const f = FEATURES[index]
        const value = raw[at + 1]
        const contribution = Math.round(raw[at + 2] * 1000) / 1000
        const threat = THREATS[raw[at + 3]]
        const evidence = raw[at + 4] === 1
        const why = evidence && EVIDENCE_TEXT[this.basis]
        const text = why ? `${f.description} (${shown(index, value)}) ${why(threat)}` : `${f.description} (${shown(index, value)}) ${contribution > 0 ? 'raises' : 'lowers'} ${threat} risk`
        reasons.push({ feature: f.name, group: f.group, value, contribution, threat, evidence, text })
      }
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
      basis: this.basis,
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

module.exports = { RefinedDecision, copyRecords, recordLength }
