// Security properties of the refine path: no file or network I/O (traced with strace), nothing of
// the request's secrets in reasons or toJSON(), linear-time matching on pathological strings.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Refiner } from '../index.mjs'
import { browserInput, ROOT as root } from './fixtures.mjs'

const strace = spawnSync('strace', ['-V'], { encoding: 'utf8' }).status === 0

test('refine does no file or network I/O (strace)', { skip: !strace && 'strace is not installed (.ci/run installs it)' }, () => {
  const trace = join(tmpdir(), `refiner-strace-${process.pid}.txt`)
  // Markers are written with writeSync(2) so the trace can be cut to the refine loop alone.
  const script = `
    const fs = require('node:fs')
    const { Refiner } = require(${JSON.stringify(join(root, 'index.js'))})
    const r = new Refiner({ profile: 'checkout' })
    const input = { request: { ip: '203.0.113.7', method: 'POST', path: '/checkout', headers: { 'user-agent': 'curl/8.5.0', cookie: 'sid=1' }, email: 'a@mailinator.com', body: "' OR 1=1 --" }, context: { route: 'checkout', cartValue: 1 } }
    r.refine(null, input); r.refineBatch([{}, {}])
    fs.writeSync(2, 'REFINE-BEGIN\\n')
    for (let i = 0; i < 20000; i++) r.refine({ conclusion: 'ALLOW', results: [] }, input)
    r.refineBatch(Array.from({ length: 5000 }, () => input))
    fs.writeSync(2, 'REFINE-END\\n')
  `
  const res = spawnSync('strace', ['-f', '-qq', '-o', trace, '-e', 'trace=%file,%network,%process,write', process.execPath, '-e', script], { encoding: 'utf8', timeout: 120000 })
  const text = readFileSync(trace, 'utf8')
  rmSync(trace, { force: true })
  if (/PTRACE_TRACEME|Operation not permitted/.test(res.stderr) && !text) return // ptrace forbidden in this sandbox
  assert.equal(res.status, 0, res.stderr)
  const lines = text.split('\n')
  const begin = lines.findIndex((l) => l.includes('REFINE-BEGIN'))
  const end = lines.findIndex((l) => l.includes('REFINE-END'))
  assert.ok(begin >= 0 && end > begin, 'markers traced')
  const inLoop = lines.slice(begin + 1, end).filter((l) => l.trim() && !/exited with|resumed>|\+\+\+|---/.test(l))
  // Threads may be created, and the runtime's own threads may read /proc and /sys (V8 and malloc
  // housekeeping); opening any other file, or a socket, is not allowed.
  const io = inLoop.filter((l) => /\b(open|openat|stat|statx|newfstatat|access|readlink|socket|connect|sendto|recvfrom|bind|execve)\(/.test(l) && !/"\/(proc|sys)\//.test(l))
  assert.deepEqual(io, [], 'no file or network system calls while refining')
})

test('reasons and toJSON() never carry the request\'s values', () => {
  const secrets = { cookie: 'sid=SECRET-COOKIE', authorization: 'Bearer SECRET-TOKEN', 'x-api-key': 'SECRET-KEY' }
  const input = browserInput()
  input.request = { ...input.request, headers: { ...input.request.headers, ...secrets }, email: 'secret.person@example.com', body: 'password=SECRET-PASSWORD', ip: '198.51.100.77' }
  const r = new Refiner()
  for (const decision of [null, { conclusion: 'DENY', reason: { type: 'BOT' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'BOT', denied: ['CURL'], allowed: [] } }] }]) {
    const d = r.refine(decision, input)
    const logged = JSON.stringify(d.toJSON()) + JSON.stringify(d.reasons)
    for (const s of ['SECRET', 'secret.person', '198.51.100.77', 'example.com']) assert.ok(!logged.includes(s), `${s} leaked into ${logged}`)
  }
})

test('pathological strings are refined (matching is linear: see benches for cost per byte)', () => {
  const r = new Refiner()
  const patterns = ['a'.repeat(1 << 20), '('.repeat(1 << 20), `${'<'.repeat(1 << 19)}${'>'.repeat(1 << 19)}`, '%2e%2e/'.repeat(1 << 17), "' OR 1=1 -- ".repeat(1 << 16), '\uD800'.repeat(1 << 18)]
  for (const p of patterns) {
    const d = r.refine(null, { request: { path: p, email: `${p}@${p}`, body: p, headers: { 'user-agent': p, 'sec-ch-ua': p } } })
    assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(d.conclusion))
  }
})
