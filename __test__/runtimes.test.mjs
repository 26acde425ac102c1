// The API smoke test (runtimes/smoke.mjs) under Bun and Deno, installed from npm as devDependencies.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ROOT as root } from './fixtures.mjs'

const bin = (name) => join(root, 'node_modules', '.bin', name)
const smoke = join(root, '__test__', 'runtimes', 'smoke.mjs')

// bun's npm launcher is replaced by the real binary only by its postinstall, which the project's
// ignore-scripts skips (.npmrc); its platform package carries the binary itself.
const bunBinary = () => {
  const dir = join(root, 'node_modules', '@oven')
  const found = existsSync(dir) && readdirSync(dir).map((p) => join(dir, p, 'bin', 'bun')).find((b) => existsSync(b))
  return found || bin('bun')
}

const RUNTIMES = {
  bun: [bunBinary(), smoke],
  // N-API addons need --allow-ffi in Deno; the loader reads files and the environment.
  deno: [bin('deno'), 'run', '--allow-read', '--allow-env', '--allow-ffi', '--allow-sys', '--no-lock', smoke],
}

for (const [name, [cmd, ...args]] of Object.entries(RUNTIMES)) {
  test(`the API works under ${name}`, () => {
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 60000, env: { ...process.env, NO_COLOR: '1' } })
    assert.equal(r.status, 0, `${name} failed:\n${r.stdout}\n${r.stderr}`)
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1))
    assert.match(out.runtime, new RegExp(`^${name} `))
    assert.notEqual(out.signup, 'ALLOW')
    assert.equal(out.browser, 'ALLOW')
    console.log(`${name}: ${r.stdout.trim()}`)
  })
}
