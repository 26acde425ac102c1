// The API smoke test (runtimes/smoke.mjs) under Bun and Deno, installed from npm as devDependencies.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { BUN, DENO_RUN, ROOT as root } from './fixtures.mjs'

const smoke = join(root, '__test__', 'runtimes', 'smoke.mjs')

const RUNTIMES = {
  bun: [BUN, smoke],
  deno: [...DENO_RUN, smoke],
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
