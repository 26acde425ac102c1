// The property of __test__/property.test.mjs over many more cases (default 1,000,000):
//   node scripts/fuzz.mjs [--runs N] [--seed S]
// Prints how many cases refined, how many threw the documented TypeError/RangeError, and the
// time; any other outcome stops with the counterexample. Recorded in SECURITY.md.
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { Refiner } from '../index.mjs'
import { args, checkRefine } from '../__test__/arbitraries.mjs'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } } })
const runs = Number(values.runs)
const refiners = ['default', 'signup', 'checkout'].map((profile) => new Refiner({ profile }))
const seen = { refined: 0, threw: 0 }
const started = performance.now()
let i = 0
fc.assert(
  fc.property(args, ([decision, input]) => {
    seen[checkRefine(refiners[i++ % refiners.length], decision, input)]++
    if (i % 100000 === 0) console.error(`${i} cases, ${((performance.now() - started) / 1000).toFixed(0)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`)
  }),
  { numRuns: runs, seed: Number(values.seed), endOnFailure: true },
)
console.log(JSON.stringify({ runs, seed: Number(values.seed), ...seen, crashes: 0, seconds: Math.round((performance.now() - started) / 1000), rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) }))
