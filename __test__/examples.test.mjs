// The Express, Fastify and Next.js examples, through the end-to-end suite of example-suite.mjs.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { exampleSuite, refinedLog, scriptedSignup, shoppers, start, withServer } from './example-suite.mjs'
import { ROOT as root } from './fixtures.mjs'

const EXAMPLES = {
  express: { launch: (env) => start([process.execPath, 'examples/express/server.mjs'], { env }) },
  fastify: { launch: (env) => start([process.execPath, 'examples/fastify/server.mjs'], { env }) },
  next: {
    // In a user's app request-refiner comes from npm; here it is this repository.
    build() {
      const app = join(root, 'examples', 'next')
      mkdirSync(join(app, 'node_modules'), { recursive: true })
      if (!existsSync(join(app, 'node_modules', 'request-refiner'))) symlinkSync('../../..', join(app, 'node_modules', 'request-refiner'))
      const next = join(root, 'node_modules', '.bin', 'next')
      const build = spawnSync(next, ['build', '--webpack'], { cwd: app, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, encoding: 'utf8', timeout: 300000 })
      assert.equal(build.status, 0, `next build failed:\n${build.stdout}\n${build.stderr}`)
    },
    launch: (env) => start([process.execPath, 'server.mjs'], { cwd: join(root, 'examples', 'next'), env: { NEXT_TELEMETRY_DISABLED: '1', ...env }, timeoutMs: 60000 }),
  },
}

for (const [example, setup] of Object.entries(EXAMPLES)) exampleSuite(example, { ...setup, overrules: example === 'express' })

test('examples/express in DRY_RUN: answers follow the rules, the log shows both side by side', () =>
  withServer(
    EXAMPLES.express.launch,
    async (s) => {
      // Shoppers first: their logins fit the window and succeed, so the checkouts past it are
      // ones LIVE would lift on the accounts' good outcomes.
      const results = await shoppers(s.url)
      assert.equal((await scriptedSignup(s.url)).status, 403)
      await s.settle()
      const log = refinedLog(s)
      assert.ok(log.every((l) => l.mode === 'DRY_RUN'))
      assert.ok(results.some((r) => r.login === 403 || r.checkout === 403), `in DRY_RUN the rate limit still blocks: ${JSON.stringify(results)}`)
      assert.ok(log.some((l) => l.rules === 'DENY' && l.refined === 'ALLOW'), `what LIVE would have let through is logged: ${JSON.stringify(log)}`)
    },
    { REFINER_MODE: 'DRY_RUN' },
  ))
