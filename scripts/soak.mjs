// Soak: N refines (default 10,000,000) of distinct requests — every one with its own ip, email,
// user agent, path and context values — sampling RSS and heap. Memory must plateau.
//   node --expose-gc scripts/soak.mjs [--n 10000000] [--every 500000]
// Prints a Markdown table (recorded in SECURITY.md).
import { parseArgs } from 'node:util'
import { Refiner } from '../index.mjs'

const { values } = parseArgs({ options: { n: { type: 'string', default: '10000000' }, every: { type: 'string', default: '500000' } } })
const n = Number(values.n)
const every = Number(values.every)
const refiners = ['default', 'signup', 'login', 'checkout'].map((profile) => new Refiner({ profile }))
const decision = (i) => ({
  conclusion: i % 7 ? 'ALLOW' : 'DENY',
  reason: { type: 'RATE_LIMIT' },
  results: [
    { state: 'RUN', conclusion: i % 7 ? 'ALLOW' : 'DENY', reason: { type: 'RATE_LIMIT', max: 60, remaining: i % 61, window: 60, reset: i % 60 } },
    { state: 'RUN', conclusion: 'ALLOW', reason: { type: 'BOT', denied: [], allowed: [], verified: false, spoofed: false } },
  ],
  ip: { isHosting: i % 11 === 0, isVpn: i % 13 === 0 },
})
const input = (i) => ({
  request: {
    ip: `${(i >>> 24) & 255}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`,
    method: i % 3 ? 'GET' : 'POST',
    path: `/products/${i}?ref=${(i * 2654435761) >>> 0}`,
    headers: { 'user-agent': `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + (i % 40)}.0.${i}.0 Safari/537.36`, accept: 'text/html', cookie: `sid=${i}` },
    email: `user${i}@example${i % 1000}.com`,
  },
  context: { route: ['other', 'signup', 'login', 'checkout'][i % 4], sessionAgeS: i % 3600, pagesSeen: i % 20, formFillMs: 500 + (i % 20000) },
})

const mb = (b) => (b / 2 ** 20).toFixed(1)
const rows = []
const sample = (done, started) => {
  global.gc?.()
  const m = process.memoryUsage()
  rows.push(`| ${done.toLocaleString('en')} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${mb(m.external)} | ${((performance.now() - started) / 1000).toFixed(0)} |`)
  console.error(rows.at(-1))
}
const started = performance.now()
sample(0, started)
let denied = 0
for (let i = 1; i <= n; i++) {
  const r = refiners[i % 4]
  if (r.refine(decision(i), input(i)).isDenied()) denied++
  if (i % every === 0) sample(i, started)
}
console.log(`| refines | RSS MB | heap used MB | external MB | seconds |\n|---:|---:|---:|---:|---:|\n${rows.join('\n')}\n\n${denied.toLocaleString('en')} denied; ${((performance.now() - started) / 1000 / n * 1e6).toFixed(2)} µs per refine including building the request objects.`)
