// npm run test:install — installs the package as a user would and uses it there.
//
// Packs the main package (with the optionalDependencies `napi pre-publish` adds at release) and
// this platform's binary package (the release .node must be built: `npm run build`), installs both tarballs into a fresh project outside the repository, and runs
// an ESM script, a CommonJS script and a strict TypeScript check against them. Fails when the
// installed tree holds a Rust build or mentions the repository's path, and checks that a project
// without the binary package gets one clear error naming it. Prints the tarball sizes.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const platformDir = join(root, 'npm', 'linux-x64-gnu')
const binary = 'refiner.linux-x64-gnu.node'
const work = mkdtempSync(join(tmpdir(), 'refiner-install-'))
const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
const node = (file, cwd) => execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' })

try {
  copyFileSync(join(root, binary), join(platformDir, binary))
  const tarballs = {}
  const pack = (dir, dest = work) => {
    const [info] = JSON.parse(npm(['pack', '--json', '--pack-destination', dest], dir))
    tarballs[info.name] = { file: join(dest, info.filename), size: info.size, unpacked: info.unpackedSize, files: info.entryCount }
  }
  pack(platformDir)
  rmSync(join(platformDir, binary))
  // The main package as `napi pre-publish` leaves it: the platform packages as optionalDependencies.
  mkdirSync(join(work, 'raw'))
  pack(root, join(work, 'raw'))
  execFileSync('tar', ['-xzf', tarballs[pkg.name].file, '-C', join(work, 'raw')])
  const staged = join(work, 'raw', 'package')
  const manifest = JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8'))
  manifest.optionalDependencies = Object.fromEntries(readdirSync(join(root, 'npm')).map((d) => [`${pkg.name}-${d}`, pkg.version]))
  writeFileSync(join(staged, 'package.json'), JSON.stringify(manifest, null, 2))
  pack(staged)

  // A user's project, with no path back to the repository.
  const app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'refiner-user', version: '1.0.0', private: true }))
  npm(['install', tarballs[pkg.name].file, tarballs[`${pkg.name}-linux-x64-gnu`].file, 'typescript@5', '@types/node@20'], app)

  writeFileSync(join(app, 'esm.mjs'), `
import { Refiner, refine, features } from 'request-refiner'
const decision = { conclusion: 'DENY', reason: { type: 'BOT' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'BOT', denied: ['CURL'], allowed: [], verified: false, spoofed: false } }], ip: {} }
const r = new Refiner({ profile: 'signup' })
const d = r.refine(decision, { request: { headers: { 'user-agent': 'curl/8.5.0' } }, context: { route: 'signup', formFillMs: 300 } })
const m = await refine(decision)
console.log(JSON.stringify({ conclusion: d.conclusion, module: m.conclusion, features: features().length, version: r.modelVersion }))
`)
  writeFileSync(join(app, 'cjs.cjs'), `
const { Refiner, refine } = require('request-refiner')
const d = new Refiner().refine(undefined, { request: { method: 'GET', path: '/', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', accept: 'text/html' } } })
refine().then((m) => console.log(JSON.stringify({ conclusion: d.conclusion, module: m.conclusion, reasons: d.reasons.length })))
`)
  writeFileSync(join(app, 'typed.ts'), `
import { Refiner, refine, type RefinedDecision, type RefinerOptions } from 'request-refiner'
const options: RefinerOptions = { profile: 'checkout', mode: 'DRY_RUN', failMode: 'open' }
const r = new Refiner(options)
const d: RefinedDecision = r.refine(null, { context: { route: 'checkout', cartValue: 42 } })
const live: 'ALLOW' | 'CHALLENGE' | 'DENY' = d.liveConclusion
const p: Promise<RefinedDecision> = refine()
export { live, p }
`)
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'] }, files: ['typed.ts'] }))

  const esm = JSON.parse(node('esm.mjs', app))
  assert.notEqual(esm.conclusion, 'ALLOW', 'a scripted sign-up the bot rule denied is not let through')
  assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(esm.module))
  assert.match(esm.version, /^default@[0-9a-f]{8}$/)
  const cjs = JSON.parse(node('cjs.cjs', app))
  assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(cjs.conclusion) && cjs.reasons > 0)
  execFileSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, stdio: 'inherit' })
  assert.match(execFileSync(join(app, 'node_modules/.bin/request-refiner'), ['features'], { cwd: app, encoding: 'utf8' }), /^# Feature schema/, 'npx request-refiner works')

  // The installed tree: no Rust build, no trace of the repository.
  const installed = join(app, 'node_modules', 'request-refiner')
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
  const files = [...walk(installed), ...walk(join(app, 'node_modules', 'request-refiner-linux-x64-gnu'))]
  const rust = files.filter((f) => /(^|\/)(Cargo\.(toml|lock)|target|build\.rs)$|\.rs$/.test(relative(app, f)))
  assert.deepEqual(rust, [], 'no Rust sources or build output in the installed package')
  for (const f of files) assert.ok(!readFileSync(f).includes(root), `${relative(app, f)} mentions the repository path`)

  // A project that lost the optional binary package gets one error naming it.
  const bare = join(work, 'bare')
  mkdirSync(bare)
  writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'refiner-bare', version: '1.0.0', private: true }))
  npm(['install', '--omit=optional', tarballs[pkg.name].file], bare)
  let message = ''
  try {
    execFileSync(process.execPath, ['-e', "require('request-refiner')"], { cwd: bare, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (e) {
    message = e.stderr
  }
  assert.match(message, /request-refiner could not load its native binary request-refiner-linux-x64-gnu .*npm install request-refiner-linux-x64-gnu@0\.1\.0/)

  const kb = (n) => `${(n / 1024).toFixed(1)} KB`
  console.log('test:install ok: ESM, CommonJS and tsc --strict in a fresh project; missing-binary error names the package')
  for (const [name, t] of Object.entries(tarballs)) console.log(`  ${name}: tarball ${kb(t.size)}, unpacked ${kb(t.unpacked)}, ${t.files} files`)
  console.log(`  ${esm.version}; installed files checked: ${files.length} (${kb(files.reduce((a, f) => a + statSync(f).size, 0))})`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
