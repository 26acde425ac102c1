// Concurrency and lifetime: worker threads each with their own Refiners, thousands of refineAsync
// calls in flight, large batches at once, Refiners collected while work is pending, the addon
// loaded and unloaded with workers, and process.exit during async work. Results must equal the
// sync path's for the same input.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { Refiner } from '../index.mjs'
import { browserInput, ROOT as root, scriptInput } from './fixtures.mjs'

const index = join(root, 'index.js')
const fixtures = join(root, '__test__', 'fixtures.mjs')

const DENY = { conclusion: 'DENY', reason: { type: 'BOT' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'BOT', denied: ['CURL'], allowed: [], verified: false, spoofed: false } }], ip: { isHosting: true } }
const ALLOW = { conclusion: 'ALLOW', reason: { type: 'RATE_LIMIT' }, results: [{ state: 'RUN', conclusion: 'ALLOW', reason: { type: 'RATE_LIMIT', max: 60, remaining: 3, window: 60, reset: 20 } }], ip: {} }
/** A spread of distinct inputs, reproducible by index, the same in every thread. */
const CASE_SOURCE = `(i, browserInput, scriptInput) => {
  const input = i % 2 ? browserInput() : scriptInput()
  input.context = { ...(input.context ?? {}), route: ['other', 'signup', 'login', 'checkout', 'api'][i % 5], sessionAgeS: i % 977, formFillMs: 200 + (i * 37) % 30000 }
  return [i % 3 ? ${JSON.stringify(ALLOW)} : ${JSON.stringify(DENY)}, input]
}`
const caseOf = eval(CASE_SOURCE)
const N = 2000
const key = (d) => `${d.conclusion} ${d.liveConclusion} ${d.score} ${d.reasons.map((r) => r.feature).join(',')}`

// Memory off: these tests compare the refine paths, which must agree given the same history;
// memory under concurrency is tested in memory.test.mjs.
function expected() {
  const r = new Refiner({ memory: false })
  return Array.from({ length: N }, (_, i) => key(r.refine(...caseOf(i, browserInput, scriptInput))))
}

test('8 worker threads refining at once agree with the sync path', async () => {
  const want = expected()
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { Refiner } = require(${JSON.stringify(index)})
    import(${JSON.stringify(fixtures)}).then(async ({ browserInput, scriptInput }) => {
      const caseOf = ${CASE_SOURCE}
      const key = ${key.toString()}
      const refiners = [new Refiner({ memory: false }), new Refiner({ memory: false })]
      const out = []
      for (let i = 0; i < ${N}; i++) {
        const [d, input] = caseOf(i, browserInput, scriptInput)
        // Alternate sync, async and single-item batches across two Refiners.
        const r = refiners[i % 2]
        const refined = i % 3 === 0 ? r.refine(d, input) : i % 3 === 1 ? await r.refineAsync(d, input) : r.refineBatch([{ decision: d, ...input }])[0]
        out.push(key(refined))
      }
      parentPort.postMessage(out)
    })
  `
  const results = await Promise.all(
    Array.from({ length: 8 }, () => new Promise((resolve, reject) => {
      const w = new Worker(source, { eval: true })
      w.once('message', (m) => resolve(m))
      w.once('error', reject)
    })),
  )
  for (const got of results) assert.deepEqual(got, want)
})

test('thousands of refineAsync in flight and large batches at once agree with the sync path', async () => {
  const want = expected()
  const r = new Refiner({ memory: false })
  const inFlight = Array.from({ length: N }, (_, i) => r.refineAsync(...caseOf(i, browserInput, scriptInput)))
  const batches = [0, 1, 2].map(() => r.refineBatch(Array.from({ length: N }, (_, i) => {
    const [decision, input] = caseOf(i, browserInput, scriptInput)
    return { decision, ...input }
  })))
  assert.deepEqual((await Promise.all(inFlight)).map(key), want)
  for (const b of batches) assert.deepEqual(b.map(key), want)
})

test('lifetimes: collected Refiners, workers loading and unloading the addon, process.exit mid-work', () => {
  const script = `
    const { Worker } = require('node:worker_threads')
    const { Refiner } = require(${JSON.stringify(index)})
    ;(async () => {
      // Refiners dropped while their promises are pending, then collected.
      const pending = []
      for (let i = 0; i < 200; i++) pending.push(new Refiner({ profile: 'signup' }).refineAsync(null, { context: { route: 'signup', formFillMs: i } }))
      global.gc()
      await Promise.all(pending)
      for (let round = 0; round < 3; round++) {
        global.gc()
        // Workers that load the addon, refine and are terminated mid-loop.
        await Promise.all(Array.from({ length: 4 }, () => new Promise((resolve) => {
          const w = new Worker("const { Refiner } = require(${JSON.stringify(index).replaceAll('"', '\\"')}); const r = new Refiner(); for (;;) r.refine(null, {})", { eval: true })
          setTimeout(() => w.terminate().then(resolve), 50)
        })))
      }
      // Exit while async refines and a batch are still queued.
      const r = new Refiner()
      for (let i = 0; i < 1000; i++) r.refineAsync(null, {})
      setImmediate(() => r.refineBatch(Array.from({ length: 5000 }, () => ({}))))
      process.exit(7)
    })()
  `
  const res = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60000 })
  assert.equal(res.signal, null, `killed by ${res.signal}: ${res.stderr}`)
  assert.equal(res.status, 7, res.stderr)
  assert.equal(res.stderr, '')
})
