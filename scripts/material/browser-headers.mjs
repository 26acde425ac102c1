// Browser header sets from the npm package header-generator (Apify, Apache-2.0: a Bayesian network
// fitted to real browser traffic), for every browser × OS × device it supports, written to
// target/material/browsers/header-generator.jsonl, one line per set:
//   { "browser", "os", "device", "httpVersion", "headers": [[name, value], …] }
// with a summary (which headers each browser emits, and how often; the values of the ones a bot
// model looks at) in header-generator-summary.json, and a comparison with the real chromium and
// firefox captures of data/clients/ in header-generator-vs-captures.json.
//
//   node scripts/material/browser-headers.mjs [--n 200] [--seed 1] [--http 1,2] [--no-install]
//
// header-generator has no seed: it draws from Math.random. This script swaps Math.random for a
// seeded generator (sfc32) while it generates, so one header-generator version and one seed give
// the same file; header-generator's own draws are the only user of Math.random in this process.
// A combination it does not support (safari on windows, say) fails in strict mode and is listed.

import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const outDir = join(root, 'target', 'material', 'browsers')
const args = process.argv.slice(2)
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt)
const N = Number(opt('--n', 200))
const SEED = Number(opt('--seed', 1))
const HTTP = opt('--http', '1,2').split(',')

if (!args.includes('--no-install')) {
  const r = spawnSync('bash', [join(here, 'install.sh')], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error('scripts/material/install.sh failed')
}
const req = createRequire(join(root, 'target', 'material', 'node', 'package.json'))
const { HeaderGenerator } = req('header-generator')
// Its package exports only its index; the lists of what it supports are in constants.js beside it.
const hgDir = dirname(req.resolve('header-generator'))
const { SUPPORTED_BROWSERS, SUPPORTED_OPERATING_SYSTEMS, SUPPORTED_DEVICES } = req(join(hgDir, 'constants.js'))
const hgVersion = JSON.parse(readFileSync(join(hgDir, 'package.json'), 'utf8')).version

/** sfc32, seeded through splitmix32: a small, well-mixed generator for Math.random's place. */
function seeded(seed) {
  let s = seed >>> 0
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = split(), b = split(), c = split(), d = split()
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t / 4294967296
  }
}

const lines = []
const unsupported = []
const realRandom = Math.random
Math.random = seeded(SEED)
try {
  for (const httpVersion of HTTP) {
    for (const browser of SUPPORTED_BROWSERS) {
      for (const os of SUPPORTED_OPERATING_SYSTEMS) {
        for (const device of SUPPORTED_DEVICES) {
          const gen = new HeaderGenerator({ browsers: [browser], operatingSystems: [os], devices: [device], httpVersion, locales: ['en-US'], strict: true })
          let got = 0
          let error = null
          for (let i = 0; i < N; i++) {
            let h
            try {
              h = gen.getHeaders()
            } catch (e) {
              error = String(e?.message ?? e)
              break
            }
            lines.push({ browser, os, device, httpVersion, headers: Object.entries(h) })
            got++
          }
          if (!got) unsupported.push({ browser, os, device, httpVersion, error })
        }
      }
    }
  }
} finally {
  Math.random = realRandom
}

mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, 'header-generator.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n')

// ---- summary: which headers each browser emits, and the values that tell clients apart.
const lc = (h) => h.map(([n, v]) => [n.toLowerCase(), v])
const KEY = ['accept', 'accept-language', 'accept-encoding', 'upgrade-insecure-requests', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-user', 'sec-fetch-dest', 'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'te', 'priority', 'connection', 'dnt', 'cache-control']
const summary = {}
for (const l of lines) {
  const k = `${l.browser}|http${l.httpVersion}`
  const s = (summary[k] ??= { sets: 0, combos: new Set(), headers: {}, values: {}, counts: {}, orders: {} })
  s.sets++
  s.combos.add(`${l.os}/${l.device}`)
  const h = lc(l.headers)
  s.counts[h.length] = (s.counts[h.length] ?? 0) + 1
  const order = h.map(([n]) => n).join(',')
  s.orders[order] = (s.orders[order] ?? 0) + 1
  for (const [n, v] of h) {
    s.headers[n] = (s.headers[n] ?? 0) + 1
    if (KEY.includes(n) && n !== 'sec-ch-ua') ((s.values[n] ??= {})[v] = (s.values[n]?.[v] ?? 0) + 1)
    if (n === 'sec-ch-ua') {
      const shape = v.replace(/v="\d+"/g, 'v="N"')
      ;(s.values['sec-ch-ua (versions as N)'] ??= {})[shape] = (s.values['sec-ch-ua (versions as N)']?.[shape] ?? 0) + 1
    }
  }
}
const top = (obj, n = 6) => Object.fromEntries(Object.entries(obj).sort((a, b) => b[1] - a[1]).slice(0, n))
const summaryOut = {
  generator: `header-generator ${hgVersion}`,
  seed: SEED,
  perCombination: N,
  locales: ['en-US'],
  unsupported,
  browsers: Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, {
    sets: s.sets,
    combos: [...s.combos].sort(),
    headerCount: s.counts,
    headers: Object.fromEntries(Object.entries(s.headers).map(([n, c]) => [n, +(c / s.sets).toFixed(3)])),
    values: Object.fromEntries(Object.entries(s.values).map(([n, v]) => [n, top(v)])),
    distinctOrders: Object.keys(s.orders).length,
  }])),
}
writeFileSync(join(outDir, 'header-generator-summary.json'), JSON.stringify(summaryOut, null, 2) + '\n')

// ---- against the real captures: header names and values of the real browsers' navigations.
const clientsDir = join(root, 'data', 'clients')
const real = readdirSync(clientsDir).filter((f) => f.endsWith('--navigate.json')).map((f) => JSON.parse(readFileSync(join(clientsDir, f), 'utf8')))
  .filter((c) => c.kind === 'browser' || c.kind === 'headless-browser')
const family = (c) => (/firefox/.test(c.client) ? 'firefox' : 'chrome')
const compare = {}
for (const fam of ['chrome', 'firefox']) {
  const gen = summary[`${fam}|http1`]
  const caps = real.filter((c) => family(c) === fam)
  if (!gen || !caps.length) continue
  const genNames = new Set(Object.keys(gen.headers))
  const capNames = new Set(caps.flatMap((c) => lc(c.headers).map(([n]) => n)))
  const genOrders = Object.entries(gen.orders).sort((a, b) => b[1] - a[1])
  compare[fam] = {
    captures: caps.map((c) => `${c.client}${c.variant === 'default' ? '' : `--${c.variant}`}`),
    onlyInCaptures: [...capNames].filter((n) => !genNames.has(n)).sort(),
    onlyInGenerated: [...genNames].filter((n) => !capNames.has(n)).sort().map((n) => `${n} (${(100 * gen.headers[n] / gen.sets).toFixed(0)}% of sets)`),
    values: Object.fromEntries(KEY.filter((n) => capNames.has(n) || genNames.has(n)).map((n) => [n, {
      captured: [...new Set(caps.map((c) => lc(c.headers).find(([m]) => m === n)?.[1] ?? null))],
      generated: n === 'sec-ch-ua' ? top(gen.values['sec-ch-ua (versions as N)'] ?? {}, 4) : top(gen.values[n] ?? {}, 4),
    }])),
    capturedOrder: [...new Set(caps.map((c) => lc(c.headers).map(([n]) => n).join(',')))],
    generatedTopOrders: genOrders.slice(0, 3).map(([o, c]) => ({ order: o, share: +(c / gen.sets).toFixed(3) })),
  }
}
writeFileSync(join(outDir, 'header-generator-vs-captures.json'), JSON.stringify(compare, null, 2) + '\n')

console.error(`header-generator ${hgVersion}: ${lines.length} header sets (seed ${SEED}, ${N} per browser/os/device/http) → target/material/browsers/header-generator.jsonl`)
console.error(`unsupported combinations: ${unsupported.map((u) => `${u.browser}/${u.os}/${u.device}/http${u.httpVersion}`).join(', ') || 'none'}`)
for (const [k, s] of Object.entries(summaryOut.browsers)) console.error(`${k}: ${s.sets} sets over ${s.combos.join(' ')}; headers: ${Object.entries(s.headers).map(([n, f]) => (f === 1 ? n : `${n} ${f}`)).join(', ')}`)
