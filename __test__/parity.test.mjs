// The trainer reads logged JSON with the Rust reader; production packs live objects in JS. Both
// must give the model the same numbers and texts, or it is trained on features it never sees.
// The Rust reader is reached through the test build's `packJson` (npm run build:test).
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { allowDecision, browserInput, scriptInput, TEST_BUILD } from './fixtures.mjs'

const skip = !existsSync(TEST_BUILD) && 'npm run build:test first'
process.env.NAPI_RS_NATIVE_LIBRARY_PATH = TEST_BUILD
const require = createRequire(import.meta.url)

const same = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])))

test('JS packer and Rust JSON reader agree on fixtures, every header shape and nested bodies', { skip }, async () => {
  const { native, schema } = require('../lib/schema.js')
  const { pack } = require('../lib/pack.js')
  const { simulate } = await import('../scripts/simulate/index.mjs')
  const check = (record, live = record) => {
    const nums = new Float64Array(schema.input.width)
    const texts = pack(nums, live.decision, live)
    const rust = native.packJson(JSON.stringify(record))
    assert.ok(same([...nums], rust.nums), `packed numbers differ for ${JSON.stringify(record).slice(0, 200)}`)
    assert.equal(texts, rust.texts)
    assert.deepEqual(native.featureValues(nums, texts), native.featureValues(Float64Array.from(rust.nums), rust.texts))
  }
  check({})
  check({ decision: allowDecision(), ...browserInput() })
  check({ decision: allowDecision(), ...scriptInput() })
  check({ request: { headers: { 'User-Agent': 'curl/8', Accept: '*/*', cookie: ['a=1', 'b=2'] }, body: { a: 'x', n: 1, b: 'y' } } })
  // Node's rawHeaders and [name, value] pairs in a log; a Headers and a Map live.
  const raw = ['Host', 'shop.example', 'User-Agent', 'curl/8', 'Accept', '*/*']
  check({ request: { headers: raw } })
  check({ request: { headers: [['User-Agent', 'curl/8'], ['Accept', '*/*']] } }, { request: { headers: new Map([['User-Agent', 'curl/8'], ['Accept', '*/*']]) } })
  // A Headers object hands its names over lowercased and sorted.
  check({ request: { headers: [['accept', '*/*'], ['user-agent', 'curl/8']] } }, { request: { headers: new Headers([['User-Agent', 'curl/8'], ['Accept', '*/*']]) } })
  // An array value is a repeated header in every shape; one that does not fit under the cap is left out whole.
  check({ request: { headers: { 'user-agent': ['x/1', null, 'Mozilla/5.0'], accept: [], cookie: 'a=1' } } })
  check({ request: { headers: [['User-Agent', ['x/1', 'y/2']], ['accept', '*/*']] } })
  check({ request: { headers: ['User-Agent', ['x/1', 'y/2'], 'accept', '*/*'] } })
  const pad = Object.fromEntries(Array.from({ length: schema.input.maxHeaderPairs - 1 }, (_, i) => [`x-${i}`, '1']))
  check({ request: { headers: { ...pad, 'user-agent': ['x/1', 'y/2'], accept: '*/*' } } })
  check({ request: { headers: { ...pad, 'user-agent': 'x/1', accept: '*/*' } } })
  // Bodies at any depth, arrays, empty strings and keys, a raw JSON string, and a body past the budget.
  check({ request: { body: { user: { name: "O'Brien", tags: ['a', '', { deep: ['<svg onload=alert(1)>'] }] }, n: [1, 2] } } })
  check({ request: { body: [{ q: "' OR 1=1 --" }, 'x'] } })
  check({ request: { body: '{"a":{"b":"c"}}' } })
  check({ request: { body: { pad: 'p'.repeat(schema.input.maxBodyBytes), tail: '<script>alert(1)</script>' } } })
  check({ request: { body: Array.from({ length: schema.input.maxBodyNodes * 2 }, (_, i) => String(i)) } })
  for await (const s of simulate({ n: 2000, seed: 5, pool: 'eval' })) check(s)
})
