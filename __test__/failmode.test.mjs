// Fail open / fail closed with an injected fault: the addon built with the `fault-injection`
// feature (npm run build:test) panics inside every refine when REQUEST_REFINER_FAULT=panic (only
// for one request path with panic:<path>). The panic must be caught at the N-API boundary and
// answered by the fail mode; nothing throws.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ROOT as root } from './fixtures.mjs'

const faulty = join(root, 'target', 'test-build', 'refiner.linux-x64-gnu.node')

const SCRIPT = `
const { Refiner } = require(${JSON.stringify(join(root, 'index.js'))})
const deny = { conclusion: 'DENY', reason: { type: 'BOT' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'BOT', denied: ['CURL'], allowed: [], verified: false, spoofed: false } }] }
const allow = { conclusion: 'ALLOW', results: [] }
const input = { request: { headers: { 'user-agent': 'curl/8.5.0' } } }
const view = (d) => ({ conclusion: d.conclusion, live: d.liveConclusion, errored: d.isErrored(), reasons: d.reasons.length })
const out = {}
;(async () => {
  for (const failMode of ['open', 'closed']) {
    const r = new Refiner({ failMode })
    out[failMode] = {
      deny: view(r.refine(deny, input)),
      allow: view(r.refine(allow, input)),
      none: view(r.refine(undefined, input)),
      async: view(await r.refineAsync(deny, input)),
      batch: r.refineBatch([{ decision: deny }, { decision: allow }]).map(view),
    }
  }
  out.dryRun = view(new Refiner({ failMode: 'closed', mode: 'DRY_RUN' }).refine(allow, input))
  const at = (path) => ({ decision: deny, request: { ...input.request, path } })
  out.rows = new Refiner().refineBatch([at('/a'), at('/boom'), at('/b')]).map((d) => d.isErrored())
  console.log(JSON.stringify(out))
})()
`

function run(env) {
  const r = spawnSync(process.execPath, ['-e', SCRIPT], { encoding: 'utf8', env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: faulty, ...env } })
  assert.equal(r.status, 0, r.stderr)
  return { out: JSON.parse(r.stdout), stderr: r.stderr }
}

test('a panic inside refine is caught and the fail mode answers', { skip: !existsSync(faulty) && 'npm run build:test first' }, () => {
  const { out, stderr } = run({ REQUEST_REFINER_FAULT: 'panic' })
  assert.match(stderr, /fault injected/, 'the fault really fired')
  const errored = (conclusion) => ({ conclusion, live: conclusion, errored: true, reasons: 0 })
  assert.deepEqual(out.open, { deny: errored('DENY'), allow: errored('ALLOW'), none: errored('ALLOW'), async: errored('DENY'), batch: [errored('DENY'), errored('ALLOW')] })
  assert.deepEqual(out.closed, { deny: errored('DENY'), allow: errored('DENY'), none: errored('DENY'), async: errored('DENY'), batch: [errored('DENY'), errored('DENY')] })
  assert.deepEqual(out.dryRun, { conclusion: 'ALLOW', live: 'DENY', errored: true, reasons: 0 }, 'DRY_RUN never blocks, even failing closed')
})

test('in a batch, a panic fails only the row it happened on', { skip: !existsSync(faulty) && 'npm run build:test first' }, () => {
  const { out, stderr } = run({ REQUEST_REFINER_FAULT: 'panic:/boom' })
  assert.match(stderr, /fault injected/)
  assert.deepEqual(out.rows, [false, true, false])
  assert.equal(out.open.deny.errored, false, 'other paths refine normally')
})

test('the same build without the fault refines normally', { skip: !existsSync(faulty) && 'npm run build:test first' }, () => {
  const { out } = run({})
  assert.equal(out.open.deny.errored, false)
  assert.ok(out.open.deny.reasons > 0)
})
