// The demo: refines a seeded sample of simulated traffic (evaluation pool: user agents, crawlers
// and email domains the default model never saw in training) in time order, reporting the outcomes
// the app learns (failed logins, declined payments) as an app would, and compares rules-only with
// refined, per profile; then measures the latency of one refine call.
//
//   npm run demo            (builds the addon first)
//   node scripts/demo.mjs --n 20000 --seed 99
import { parseArgs } from 'node:util'
import { Memory, Refiner } from '../index.mjs'
import { simulate } from '../lib/simulate/index.mjs'

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' }, seed: { type: 'string', default: '99' } } })
const n = Number(values.n)
const lines = []
for await (const s of simulate({ n, seed: Number(values.seed), pool: 'eval' })) lines.push(s)
const samples = lines.filter((s) => !s.event)
const threat = (s) => s.labels.bot || s.labels.attack || s.labels.abuse
const PROFILE_OF = { signup: 'signup', login: 'login', checkout: 'checkout', api: 'api' }
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(2)}%` : '—')

console.log(`request-refiner demo: ${n} simulated requests (seed ${values.seed}, evaluation pool), ${samples.filter(threat).length} of them threats\n`)

// One refiner per route's profile, all sharing one behavioral memory, as one app would run them.
const memory = new Memory()
const refiners = Object.fromEntries(['default', 'signup', 'login', 'checkout', 'api'].map((p) => [p, new Refiner({ profile: p, memory })]))
console.log(`model ${refiners.default.modelVersion}\n`)

// Each request is refined with the profile of its route, as an app would configure it.
const rows = {}
let example
for (const s of lines) {
  if (s.event) {
    refiners.default.observe(s.event, s)
    continue
  }
  const profile = PROFILE_OF[s.context?.route] ?? 'default'
  const refined = refiners[profile].refine(s.decision, s)
  // Explained later from what memory knew at this moment.
  if (s.scenario === 'fake_signup' && refined.isDenied()) example ??= refined
  const row = (rows[profile] ??= { legit: 0, threats: 0, rulesFp: 0, refinedFp: 0, refinedChallengeFp: 0, rulesTp: 0, refinedTp: 0, caughtByRules: 0, keptOfRules: 0, missedByRules: 0, caughtOfMissed: 0 })
  const rulesDeny = s.decision?.conclusion === 'DENY'
  const refinedDeny = refined.isDenied()
  if (threat(s)) {
    row.threats++
    row.rulesTp += rulesDeny
    row.refinedTp += refinedDeny
    if (rulesDeny) {
      row.caughtByRules++
      row.keptOfRules += refinedDeny
    } else {
      row.missedByRules++
      row.caughtOfMissed += refinedDeny
    }
  } else {
    row.legit++
    row.rulesFp += rulesDeny
    row.refinedFp += refinedDeny
    row.refinedChallengeFp += refined.isChallenged()
  }
}

console.log('Denied legitimate requests (false positives) and denied threats (recall), rules-only vs refined:\n')
console.log('profile    legit  threats | FP rules  FP refined  (+challenged) | recall rules  recall refined | of rules\' catches kept | of rules\' misses caught')
for (const [p, r] of Object.entries(rows)) {
  console.log(
    `${p.padEnd(9)} ${String(r.legit).padStart(6)} ${String(r.threats).padStart(8)} | ${pct(r.rulesFp, r.legit).padStart(8)} ${pct(r.refinedFp, r.legit).padStart(11)} ${`(${pct(r.refinedChallengeFp, r.legit)})`.padStart(14)} | ${pct(r.rulesTp, r.threats).padStart(12)} ${pct(r.refinedTp, r.threats).padStart(15)} | ${pct(r.keptOfRules, r.caughtByRules).padStart(22)} | ${pct(r.caughtOfMissed, r.missedByRules).padStart(22)}`,
  )
}

// Latency of one sync refine of a realistic decision (3 rule results, ip details, headers, context).
const r = refiners.checkout
const sample = samples.find((s) => s.decision?.results?.length >= 3 && s.context?.route === 'checkout') ?? samples[0]
for (let i = 0; i < 20000; i++) r.refine(sample.decision, sample)
const times = new Float64Array(20000)
for (let i = 0; i < times.length; i++) {
  const t0 = process.hrtime.bigint()
  r.refine(sample.decision, sample)
  times[i] = Number(process.hrtime.bigint() - t0)
}
times.sort()
const q = (p) => (times[Math.floor(p * (times.length - 1))] / 1000).toFixed(2)
const t0 = process.hrtime.bigint()
const batch = r.refineBatch(samples.slice(0, 10000))
const batchUs = Number(process.hrtime.bigint() - t0) / 1000
console.log(`\nlatency per refine() call (sync, one request): p50 ${q(0.5)} µs, p99 ${q(0.99)} µs (${times.length} calls, hrtime overhead included)`)
console.log(`refineBatch of ${batch.length}: ${(batchUs / 1000).toFixed(1)} ms, ${((batch.length / batchUs) * 1e6).toFixed(0)} decisions/s`)
console.log(`\nexample (a fake sign-up, as refined in the run): ${example.conclusion}, score ${example.score.toFixed(3)}`)
for (const reason of example.reasons) console.log(`  ${reason.contribution > 0 ? '+' : ''}${reason.contribution.toFixed(2)}  ${reason.text}`)
