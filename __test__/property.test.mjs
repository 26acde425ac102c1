// Property-based: hostile and malformed arguments never crash, hang or get written to; they
// refine or throw a TypeError/RangeError naming the field. Bounded here; `node scripts/fuzz.mjs`
// runs the same property a million times.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { Refiner } from '../index.mjs'
import { args, checkRefine, watch } from './arbitraries.mjs'

const RUNS = 3000

test(`refine: ${RUNS} hostile argument pairs`, () => {
  const refiner = new Refiner({ profile: 'checkout' })
  const seen = { refined: 0, threw: 0 }
  fc.assert(fc.property(args, ([decision, input]) => void seen[checkRefine(refiner, decision, input)]++), { numRuns: RUNS, seed: 42 })
  // Both outcomes occur, each at least 5%: the generator is neither all-valid nor all-broken.
  assert.ok(seen.refined > RUNS / 20 && seen.threw > RUNS / 20, JSON.stringify(seen))
})

test('refineAsync and refineBatch keep the same contract', async () => {
  const refiner = new Refiner()
  await fc.assert(
    fc.asyncProperty(args, async ([decision, input]) => {
      const writes = []
      try {
        const d = await refiner.refineAsync(watch(decision, writes), watch(input, writes))
        assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(d.conclusion))
      } catch (e) {
        assert.ok(e instanceof TypeError || e instanceof RangeError, String(e))
      }
      assert.deepEqual(writes, [])
    }),
    { numRuns: 300, seed: 7 },
  )
  fc.assert(
    fc.property(fc.array(args, { maxLength: 20 }), (pairs) => {
      try {
        // Items read the hostile input lazily, inside refineBatch.
        const items = pairs.map(([decision, input]) => ({ decision, get request() { return input?.request }, get context() { return input?.context } }))
        const out = refiner.refineBatch(items)
        assert.equal(out.length, pairs.length)
      } catch (e) {
        assert.ok(e instanceof TypeError || e instanceof RangeError, String(e))
        assert.match(e.message, /^items\b/)
      }
    }),
    { numRuns: 200, seed: 9 },
  )
})

test('bad options throw TypeError or RangeError naming the option', () => {
  fc.assert(
    fc.property(fc.record({ profile: fc.anything(), mode: fc.anything(), failMode: fc.anything(), thresholds: fc.anything(), model: fc.anything() }, { requiredKeys: [] }), (options) => {
      try {
        new Refiner(options)
      } catch (e) {
        assert.ok(e instanceof TypeError || e instanceof RangeError, String(e))
        assert.match(e.message, /^options\b/)
      }
    }),
    { numRuns: 500, seed: 3 },
  )
})
