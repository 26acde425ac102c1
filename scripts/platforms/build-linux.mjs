// npm run build:linux [-- <platform>...] — the four linux binaries from this x64 machine, each put
// in its npm/<platform>/ directory (where `napi pre-publish` takes it from at release).
//
// napi's CLI drives cargo-zigbuild (`napi build -x`): zig links the gnu builds against glibc 2.17's
// symbols (the `.2.17` suffix of the target), so they load on glibc 2.17 and later (CentOS 7,
// Amazon Linux 2, Debian 10+, Ubuntu 18.04+), and the musl builds as shared objects against musl's
// libc.so (napi adds `-C target-feature=-crt-static`: a Node addon on musl must be a cdylib that
// uses the process's libc, not a static one). Zig and cargo-zigbuild come from PyPI into
// target/tools/venv (scripts/ensure-cross-tools.sh). Prints each build's time and size.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')
export const LINUX = {
  'linux-x64-gnu': 'x86_64-unknown-linux-gnu.2.17',
  'linux-arm64-gnu': 'aarch64-unknown-linux-gnu.2.17',
  'linux-x64-musl': 'x86_64-unknown-linux-musl',
  'linux-arm64-musl': 'aarch64-unknown-linux-musl',
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) {
  const wanted = process.argv.slice(2)
  for (const p of wanted) if (!LINUX[p]) throw new Error(`unknown platform ${p}; one of ${Object.keys(LINUX).join(', ')}`)
  const bin = execFileSync('bash', [join(root, 'scripts', 'ensure-cross-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, CARGO_BUILD_JOBS: process.env.CARGO_BUILD_JOBS ?? '2' }
  const napi = join(root, 'node_modules', '.bin', 'napi')
  const rows = []
  const start = performance.now()
  for (const [platform, target] of Object.entries(LINUX)) {
    if (wanted.length && !wanted.includes(platform)) continue
    const t0 = performance.now()
    const out = join(root, 'target', 'platforms', platform)
    mkdirSync(out, { recursive: true })
    execFileSync(napi, ['build', '--platform', '--release', '--target', target, '-x', '--output-dir', out, '--no-js'], { cwd: root, env, stdio: 'inherit' })
    const file = `refiner.${platform}.node`
    copyFileSync(join(out, file), join(root, 'npm', platform, file))
    rows.push(`  npm/${platform}/${file}: ${statSync(join(out, file)).size} bytes, built in ${((performance.now() - t0) / 1000).toFixed(0)} s (${target})`)
  }
  console.log(`build:linux done in ${((performance.now() - start) / 1000).toFixed(0)} s\n${rows.join('\n')}`)
}
