// The pure-JS pipeline that benches/ compares with the addon must compute what the addon does:
// the same model inputs and the same conclusions, on simulated traffic.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { JsRefiner, featureValues } from '../benches/js-pipeline.mjs'
import { Refiner } from '../index.mjs'
import { simulate } from '../lib/simulate/index.mjs'

const require = createRequire(import.meta.url)
const { native, schema } = require('../lib/schema.js')
const { pack, WIDTH } = require('../lib/pack.js')

test('pure-JS features and conclusions equal the addon\'s on 1,000 simulated requests', async () => {
  const names = schema.features.map((f) => f.name)
  const nums = new Float64Array(WIDTH)
  const profiles = ['default', 'signup', 'checkout']
  // The JS port has no memory of its own: both read the (empty) snapshot slots.
  const addon = profiles.map((profile) => new Refiner({ profile, memory: false }))
  const js = profiles.map((profile) => new JsRefiner({ profile }))
  let i = 0
  for await (const s of simulate({ n: 1000, seed: 17, pool: 'eval' })) {
    const texts = pack(nums, s.decision, s)
    const want = native.featureValues(nums, texts)
    const got = featureValues(nums, texts)
    for (let k = 0; k < want.length; k++) assert.ok(Math.abs(want[k] - got[k]) < 1e-5, `${names[k]}: addon ${want[k]}, JS ${got[k]} (sample ${i})`)
    const p = i++ % profiles.length
    assert.equal(js[p].refine(s.decision, s).conclusion, addon[p].refine(s.decision, s).conclusion, `sample ${i}`)
  }
})
