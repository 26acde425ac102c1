// Prints, as Markdown, which headers each captured client sends (data/clients/*.json) and what
// Arcjet's local bot rule made of its user agent. `--by kind` groups by client kind instead.
//
//   node scripts/material/summarize.mjs [--by kind]

import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'clients')
const caps = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
const byKind = process.argv.includes('--by') && process.argv[process.argv.indexOf('--by') + 1] === 'kind'

const get = (c, n) => c.headers.find(([m]) => m.toLowerCase() === n)?.[1]
const has = (c, n) => c.headers.some(([m]) => m.toLowerCase() === n)
const row = (c) => ({
  'accept-language': get(c, 'accept-language') ?? '—',
  'accept-encoding': get(c, 'accept-encoding') ?? '—',
  'sec-fetch-*': c.headers.filter(([m]) => /^sec-fetch-/i.test(m)).map(([m, v]) => `${m.slice(10).toLowerCase()}=${v}`).join(' ') || '—',
  'sec-ch-ua': has(c, 'sec-ch-ua') ? 'yes' : '—',
  'upgrade-insecure-requests': has(c, 'upgrade-insecure-requests') ? 'yes' : '—',
  headers: String(c.headers.length),
})
const verdict = (c) => `${c.arcjet.strict.conclusion}${c.arcjet.strict.denied.length ? ` ${c.arcjet.strict.denied.join(',')}` : ''}${c.arcjet.shop.conclusion !== c.arcjet.strict.conclusion ? ` / shop ${c.arcjet.shop.conclusion}` : ''}`

if (byKind) {
  const groups = new Map()
  for (const c of caps) {
    const k = `${c.kind}${c.imitates ? ' (imitates browser)' : ''} | ${c.request}`
    if (!groups.has(k)) groups.set(k, [])
    groups.get(k).push(c)
  }
  const cols = ['kind', 'request', 'n', 'accept-language', 'accept-encoding', 'sec-fetch-*', 'sec-ch-ua', 'upgrade-insecure-requests', 'headers']
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => ' --- ').join('|')}|`)
  const uniq = (xs) => [...new Set(xs)]
  for (const [k, cs] of groups) {
    const rows = cs.map(row)
    const frac = (f) => { const n = cs.filter(f).length; return n === cs.length ? 'all' : n === 0 ? 'none' : `${n}/${cs.length}` }
    const counts = rows.map((r) => +r.headers)
    console.log(`| ${k} | ${cs.length} | ${frac((c) => has(c, 'accept-language'))} | ${uniq(rows.map((r) => r['accept-encoding'])).join('; ')} | ${uniq(rows.map((r) => r['sec-fetch-*'].split(' ').map((x) => x.split('=')[0]).join(','))).join('; ')} | ${frac((c) => has(c, 'sec-ch-ua'))} | ${frac((c) => has(c, 'upgrade-insecure-requests'))} | ${Math.min(...counts)}–${Math.max(...counts)} |`)
  }
} else {
  const cols = ['client', 'variant', 'kind', 'request', 'version', 'accept-language', 'accept-encoding', 'sec-fetch-*', 'sec-ch-ua', 'upgrade-insecure-requests', 'headers', 'Arcjet (strict / shop)']
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => ' --- ').join('|')}|`)
  for (const c of caps) {
    const r = row(c)
    console.log(`| ${c.client} | ${c.variant} | ${c.kind}${c.imitates ? ' (imitates)' : ''} | ${c.request} | ${c.version} | ${r['accept-language']} | ${r['accept-encoding']} | ${r['sec-fetch-*']} | ${r['sec-ch-ua']} | ${r['upgrade-insecure-requests']} | ${r.headers} | ${verdict(c)} |`)
  }
}
