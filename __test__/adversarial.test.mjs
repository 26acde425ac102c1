// No value a hostile client controls flips a correct denial, and no real payload comes out ALLOW
// (issue 16): a seeded random search over context extremes, header shapes, body nesting, padding
// and encodings, applied to the fixed set in ./adversarial.mjs. `npm run fuzz:adversarial` runs
// the same property 100,000 times and more.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { Memory, Refiner } from '../index.mjs'
import { attempt, FIXED, tries } from './adversarial.mjs'

const RUNS = 3000

test(`${RUNS} hostile variations of ${FIXED.length} correct denials and real payloads: none ends ALLOW`, () => {
  const memory = new Memory()
  const refiners = Object.fromEntries(['default', 'signup', 'login', 'checkout', 'api'].map((p) => [p, new Refiner({ profile: p, memory })]))
  const seen = new Set()
  fc.assert(
    fc.property(tries, (t) => {
      const [name, d] = attempt(refiners, t)
      seen.add(name)
      assert.notEqual(d.conclusion, 'ALLOW', `${name} came out ALLOW: ${JSON.stringify(d.toJSON().reasons)}`)
    }),
    { numRuns: RUNS, seed: 16 },
  )
  assert.equal(seen.size, FIXED.length, 'every fixed case was tried')
})
