// The trainer reads logged JSON with the Rust reader; production packs live objects in JS. Both
// must give the model the same numbers, or it is trained on features it never sees.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRequire } from 'node:module'
import { simulate } from '../lib/simulate/index.mjs'
import { allowDecision, browserInput, scriptInput } from './fixtures.mjs'

const require = createRequire(import.meta.url)
const { native, schema } = require('../lib/schema.js')
const { pack } = require('../lib/pack.js')

const same = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])))

function check(record) {
  const nums = new Float64Array(schema.input.width)
  const texts = pack(nums, record.decision, record)
  const rust = native.packJson(JSON.stringify(record))
  assert.ok(same([...nums], rust.nums), `packed numbers differ for ${JSON.stringify(record).slice(0, 200)}`)
  assert.equal(texts, rust.texts)
}

test('JS packer and Rust JSON reader agree on fixtures and 2,000 simulated requests', async () => {
  check({})
  check({ decision: allowDecision(), ...browserInput() })
  check({ decision: allowDecision(), ...scriptInput() })
  check({ request: { headers: { 'User-Agent': 'curl/8', Accept: '*/*', cookie: ['a=1', 'b=2'] }, body: { a: 'x', n: 1, b: 'y' } } })
  for await (const s of simulate({ n: 2000, seed: 5, pool: 'eval' })) check(s)
})
