// Cost of one refine against the length of attacker-controlled text, for strings built to make
// backtracking matchers blow up, or to hand the detectors the most values per byte. Every analysis is linear (regex crate, Aho-Corasick, the payload
// scan's bounded passes) and the packer hands over at most 16 KB of a field or header value and
// 128 KB of a body (its head and tail), so the cost per byte is flat and then the cost stops growing.
//   node benches/linear.mjs        (prints a Markdown table; recorded in SECURITY.md)
import { Refiner } from '../index.mjs'

const r = new Refiner()
const SHAPES = {
  'a…': (n) => 'a'.repeat(n),
  '(((…': (n) => '('.repeat(n),
  "' OR …": (n) => "' OR 1=1 -- ".repeat(Math.ceil(n / 12)).slice(0, n),
  '%2e%2e/…': (n) => '%2e%2e/'.repeat(Math.ceil(n / 7)).slice(0, n),
  // One empty path segment with a parameter after another: the most values per byte.
  ';/…': (n) => ';/'.repeat(Math.ceil(n / 2)).slice(0, n),
}
const SIZES = [256, 1024, 4096, 8192, 65536, 1 << 20]

function timeOf(s) {
  const input = { request: { path: `/${s}`, email: `${s}@x.com`, body: s, headers: { 'user-agent': s, 'sec-ch-ua': s, referer: `https://elsewhere.example/${s}` } } }
  for (let i = 0; i < 50; i++) r.refine(null, input)
  const runs = 400
  const t = process.hrtime.bigint()
  for (let i = 0; i < runs; i++) r.refine(null, input)
  return Number(process.hrtime.bigint() - t) / runs / 1000
}

console.log(`| shape | ${SIZES.map((n) => `${n >= 1024 ? `${n / 1024} KB` : `${n} B`}`).join(' | ')} |`)
console.log(`|---|${SIZES.map(() => '---:').join('|')}|`)
for (const [name, make] of Object.entries(SHAPES)) {
  const us = SIZES.map((n) => timeOf(make(n)))
  console.log(`| ${name} | ${us.map((u) => `${u.toFixed(1)} µs`).join(' | ')} |`)
}
console.log('\nµs per refine with the string in the user agent, sec-ch-ua, another site\'s Referer, path, email and body at once.')
