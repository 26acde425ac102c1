// The pure-JS pipeline that benches/ times against the addon must compute what the addon does:
// every feature but the payload ones (which it only approximates), and, where no payload is
// found, the same conclusions, bases, evidence and probabilities. It reads the model from the
// test build (npm run build:test).
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { test } from 'node:test'
import { TEST_BUILD } from './fixtures.mjs'

const skip = !existsSync(TEST_BUILD) && 'npm run build:test first'
const PROFILES = ['default', 'signup', 'checkout']

test('the pure-JS pipeline computes what the addon does on 1,000 simulated requests', { skip }, async () => {
  const { compareWithAddon } = await import('../benches/js-pipeline.mjs')
  const r = await compareWithAddon({ n: 1000, seed: 17, profiles: PROFILES })
  assert.deepEqual(r.mismatches, [])
  // Payloads are skipped, not the traffic: most requests carry none, and some do.
  assert.ok(r.compared >= 0.8 * r.requests && r.addonPayload > 0, JSON.stringify(r))
})

test('the comparison fails on a wrong weight or a wrong feature', { skip }, async () => {
  const { JsModel, compareWithAddon, featureValues, testBuild } = await import('../benches/js-pipeline.mjs')
  const weights = JSON.parse(testBuild.defaultModelJson())
  weights.b2[1] += 0.05
  const shifted = await compareWithAddon({ n: 200, seed: 17, profiles: PROFILES, model: new JsModel(weights) })
  assert.match(shifted.mismatches.at(-1) ?? '', /probabilities differ/)
  const j = JSON.parse(testBuild.schemaJson()).features.findIndex((f) => f.name === 'headers.missing_accept')
  const flip = (nums, texts) => {
    const x = featureValues(nums, texts)
    x[j] = 1 - x[j]
    return x
  }
  const flipped = await compareWithAddon({ n: 200, seed: 17, profiles: PROFILES, features: flip })
  assert.match(flipped.mismatches[0] ?? '', /headers\.missing_accept: addon/)
})
