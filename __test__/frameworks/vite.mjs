// What the tests of the Vite-built examples (SvelteKit, React Router) share: the example's own
// install from its lockfile, its production build, checks on what the build left, and the suite.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { exampleSuite, start } from '../example-suite.mjs'
import { ROOT } from '../fixtures.mjs'

const run = (cmd, args, cwd) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300000, env: { ...process.env, NO_COLOR: '1' } })
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`)
}

/** Every .js file below `dir`. */
const jsFiles = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name)
  return statSync(path).isDirectory() ? jsFiles(path) : path.endsWith('.js') || path.endsWith('.mjs') ? [path] : []
})

/**
 * `npm ci` in examples/<name> (request-refiner is a file: link to this repository), then its
 * `npm run build`; checks that the server build exists (`entries`, paths in the example), that it
 * imports the addon's package at run time, and that no addon binary was bundled or copied.
 */
export function installAndBuild(name, entries, outDir = 'build') {
  const dir = join(ROOT, 'examples', name)
  run('npm', ['ci', '--no-audit', '--no-fund'], dir)
  run('npm', ['run', 'build'], dir)
  for (const entry of entries) assert.ok(existsSync(join(dir, entry)), `${entry} was built`)
  const files = jsFiles(join(dir, outDir))
  assert.ok(files.some((f) => /from ["']request-refiner["']/.test(readFileSync(f, 'utf8'))), 'the server build imports request-refiner at run time')
  assert.ok(!files.some((f) => readFileSync(f, 'utf8').includes('refiner.linux-x64-gnu.node')), 'no addon path is baked into the build')
  assert.ok(!readdirSync(join(dir, outDir), { recursive: true }).some((f) => String(f).endsWith('.node')), 'no .node file was copied into the build')
}

/** The suite for examples/<name>, built by `build()`, its server started with `node <server>` there. */
export function viteExample(name, { build, server }) {
  exampleSuite(name, { build, launch: (env) => start([process.execPath, server], { cwd: join(ROOT, 'examples', name), env, timeoutMs: 30000 }) })
}
