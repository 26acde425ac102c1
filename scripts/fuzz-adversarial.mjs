// The long run of __test__/adversarial.test.mjs: hostile variations of correct denials and real
// payloads, none of which may come out ALLOW; prints the count of tries and of flips (0 to pass).
//   npm run fuzz:adversarial [-- --runs 100000 --seed 1]
import fc from 'fast-check'
import { parseArgs } from 'node:util'
import { Memory, Refiner } from '../index.mjs'
import { attempt, FIXED, tries } from '../__test__/adversarial.mjs'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' } } })
const runs = Number(values.runs)
const memory = new Memory()
const refiners = Object.fromEntries(['default', 'signup', 'login', 'checkout', 'api'].map((p) => [p, new Refiner({ profile: p, memory })]))
const flips = {}
const conclusions = { DENY: 0, CHALLENGE: 0, ALLOW: 0 }
const started = performance.now()
fc.assert(
  fc.property(tries, (t) => {
    const [name, d] = attempt(refiners, t)
    conclusions[d.conclusion]++
    if (d.conclusion === 'ALLOW') flips[name] = (flips[name] ?? 0) + 1
  }),
  { numRuns: runs, seed: Number(values.seed) },
)
const total = Object.values(flips).reduce((a, b) => a + b, 0)
console.log(`${runs.toLocaleString('en')} tries over ${FIXED.length} cases in ${((performance.now() - started) / 1000).toFixed(0)} s: DENY ${conclusions.DENY}, CHALLENGE ${conclusions.CHALLENGE}, ALLOW ${conclusions.ALLOW}`)
console.log(total === 0 ? '0 flips to ALLOW' : `${total} flips to ALLOW: ${JSON.stringify(flips)}`)
process.exitCode = total === 0 ? 0 : 1
