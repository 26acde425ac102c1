// The Hono, NestJS, Bun.serve and Deno.serve examples, each in its own runtime, through the
// end-to-end suite of example-suite.mjs. NestJS's is compiled first (tsc, as `nest build` does);
// Bun's is bundled first, as a Bun deployment builds it, with the addon kept external: the bundle
// must still load it from its package.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { exampleSuite, start } from './example-suite.mjs'
import { BUN, DENO_RUN, ROOT as root } from './fixtures.mjs'

const BUN_BUNDLE = join(root, 'target', 'examples', 'bun', 'server.js')

exampleSuite('hono', { launch: (env) => start([process.execPath, 'examples/hono/server.mjs'], { env }) })

exampleSuite('nest', {
  build() {
    const r = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'examples/nest'], { cwd: root, encoding: 'utf8', timeout: 120000 })
    assert.equal(r.status, 0, `tsc failed:\n${r.stdout}\n${r.stderr}`)
  },
  launch: (env) => start([process.execPath, 'examples/nest/dist/main.js'], { env }),
})

exampleSuite('bun', {
  build() {
    const args = ['build', 'examples/bun/server.mjs', '--target=bun', '--external', 'request-refiner', '--outfile', BUN_BUNDLE]
    const r = spawnSync(BUN, args, { cwd: root, encoding: 'utf8', timeout: 120000 })
    assert.equal(r.status, 0, `bun build failed:\n${r.stdout}\n${r.stderr}`)
    const bundle = readFileSync(BUN_BUNDLE, 'utf8')
    assert.match(bundle, /from "request-refiner"|require\("request-refiner"\)/, 'the addon is imported at run time, not bundled')
    assert.ok(!bundle.includes('refiner.linux-x64-gnu.node'), 'no addon path is baked into the bundle')
  },
  launch: (env) => start([BUN, BUN_BUNDLE], { env }),
})

exampleSuite('deno', { launch: (env) => start([...DENO_RUN, '--allow-net', 'examples/deno/server.mjs'], { env, timeoutMs: 60000 }) })
