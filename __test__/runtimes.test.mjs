// The API smoke test (runtimes/smoke.mjs) under Bun and Deno, installed from npm as devDependencies.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const smoke = join(root, '__test__', 'runtimes', 'smoke.mjs')

const RUNTIMES = {
  bun: [bin('bun'), smoke],
  // N-API addons need --allow-ffi in Deno; the loader reads files and the environment.
  deno: [bin('deno'), 'run', '--allow-read', '--allow-env', '--allow-ffi', '--allow-sys', '--no-lock', smoke],
}

for (const [name, [cmd, ...args]] of Object.entries(RUNTIMES)) {
  test(`the API works under ${name}`, () => {
    // The project's .npmrc sets ignore-scripts (onnxruntime-node's postinstall downloads from the
    // network); bun's launcher reads that setting from npm's environment and refuses to start,
    // though its platform binary is installed. The setting is npm's business, not bun's.
    const env = { ...process.env, NO_COLOR: '1' }
    delete env.npm_config_ignore_scripts
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 60000, env })
    assert.equal(r.status, 0, `${name} failed:\n${r.stdout}\n${r.stderr}`)
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1))
    assert.match(out.runtime, new RegExp(`^${name} `))
    assert.notEqual(out.signup, 'ALLOW')
    assert.equal(out.browser, 'ALLOW')
    console.log(`${name}: ${r.stdout.trim()}`)
  })
}
