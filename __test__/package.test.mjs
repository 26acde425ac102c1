// What ships: the published tarball carries the addon's API and no development tool (the traffic
// simulator lives in scripts/), and the release binary exports no test- or bench-only function.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { ROOT } from './fixtures.mjs'

const require = createRequire(import.meta.url)

test('the tarball has no simulator and no test material', () => {
  const [{ files }] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
  const paths = files.map((f) => f.path)
  assert.ok(paths.includes('lib/pack.js') && paths.includes('index.d.ts'), paths.join(' '))
  for (const p of paths) assert.doesNotMatch(p, /simulate|__test__|scripts\/|data\/clients|benches\//, p)
})

test('the release binary exports no test- or bench-only function', () => {
  const native = require('../lib/load-native.js').loadNative()
  for (const name of ['noop', 'packJson', 'featureValues', 'analyzerTablesJson', 'defaultModelJson']) assert.equal(native[name], undefined, name)
  assert.equal(typeof native.refine, 'function')
})
