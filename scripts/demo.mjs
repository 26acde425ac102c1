// The demo: refines real sample traffic (target/eval-real.jsonl: real attack tools' payloads, the
// OWASP CRS's own regression tests behind a CRS emulation, real browsers' and clients' headers,
// real prose and code; made by scripts/eval-real, which `npm run demo` runs first) in time order,
// with one Refiner per route's profile sharing one memory, as an app would. Prints rules alone vs
// refined per kind of traffic, three decisions with their reasons, and the latency of a refine.
//
//   npm run demo          (builds the addon, fetches the material, generates the corpus)
//   node scripts/demo.mjs [--in target/eval-real.jsonl]
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Refiner } from '../index.mjs'
import { markdown, readCorpus, refineAll, report } from './eval-real/run.mjs'

const ROOT = join(import.meta.dirname, '..')
const { values } = parseArgs({ options: { in: { type: 'string', default: join(ROOT, 'target', 'eval-real.jsonl') } } })
if (!existsSync(values.in)) {
  console.error(`${values.in} is missing: run \`npm run demo\` (or \`npm run eval:real\`) to fetch the material and generate it`)
  process.exit(1)
}

const lines = readCorpus(values.in)
const requests = lines.filter((l) => !l.event)
const t0 = performance.now()
const results = refineAll(lines, { keepReasons: () => true })
const ms = performance.now() - t0
const model = new Refiner().modelVersion
console.log(`request-refiner demo: ${requests.length} requests from real sources and ${lines.length - requests.length} outcome events, model ${model}`)
console.log(`refined in order, one Refiner per profile sharing one memory, in ${(ms / 1000).toFixed(1)} s\n`)
console.log(markdown(report(lines, results, null), { corpus: values.in.replace(`${ROOT}/`, ''), requests: requests.length, modelVersion: model }).split('\n## Per source')[0])

// One decision of each kind the refiner is for, with the reasons it gives.
const show = (title, want) => {
  const i = lines.findIndex((l, k) => !l.event && want(l, results[k]))
  if (i < 0) return
  const l = lines[i]
  const r = results[i]
  const what = l.meta?.payload ? `${l.meta.payload.family} payload from ${l.source} in the ${l.meta.payload.placement}` : l.source
  console.log(`\n${title}: ${l.request.method} ${l.request.path.slice(0, 80)} (${what})`)
  console.log(`  rules ${l.decision?.conclusion ?? 'none'} → refined ${r.conclusion}; threats ${Object.entries(r.threats).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`)
  for (const reason of r.reasons) console.log(`  ${reason.contribution > 0 ? '+' : ''}${reason.contribution.toFixed(2)}  ${reason.text}`)
}
show('A WAF false positive, lifted', (l, r) => l.scenario === 'waf_false_positive' && l.source.startsWith('code') && r.conclusion === 'ALLOW')
show('An attack the WAF missed, found', (l, r) => l.scenario === 'missed_attack_logged_in' && r.conclusion !== 'ALLOW' && r.reasons.some((x) => x.evidence && x.feature.startsWith('payload.')))
show('A bot the rules missed, found', (l, r) => l.scenario === 'missed_bot' && r.conclusion !== 'ALLOW' && r.reasons.some((x) => x.evidence && x.threat === 'bot'))

// Latency of one sync refine of a real request, and of a batch.
const sample = lines.find((l) => !l.event && l.scenario === 'ordinary' && l.decision?.results?.length >= 3 && l.request.body)
const refiner = new Refiner({ profile: sample.context?.route === 'checkout' ? 'checkout' : 'default' })
const input = { request: sample.request, context: sample.context }
for (let i = 0; i < 20000; i++) refiner.refine(sample.decision, input)
const times = new Float64Array(20000)
for (let i = 0; i < times.length; i++) {
  const s = process.hrtime.bigint()
  refiner.refine(sample.decision, input)
  times[i] = Number(process.hrtime.bigint() - s) / 1000
}
times.sort()
const q = (p) => times[Math.floor(p * (times.length - 1))].toFixed(2)
const items = requests.slice(0, 10000).map((l) => ({ decision: l.decision, request: l.request, context: l.context }))
const b0 = performance.now()
refiner.refineBatch(items)
const batchMs = performance.now() - b0
console.log(`\nlatency of refine() on a real request with a body (sync): p50 ${q(0.5)} µs, p99 ${q(0.99)} µs over ${times.length} calls`)
console.log(`refineBatch of ${items.length} real requests: ${batchMs.toFixed(0)} ms, ${Math.round((items.length / batchMs) * 1000)} decisions/s`)
console.log('\nper-source rows, the neutralized pass and examples of misses: npm run eval:real (target/eval-real/report.md)')
