// Refines a file of simulated requests and prints the results as JSON, for comparing one build of
// the addon with another (test:platforms runs it with x64 Node and with arm64 Node under qemu).
// The binary is the one NAPI_RS_NATIVE_LIBRARY_PATH names; the output says which file was loaded.
//   node scripts/platforms/refine-dump.mjs requests.json > results.json
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const { Memory, Refiner } = createRequire(import.meta.url)('../../index.js')
const requests = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const row = (d) => [d.conclusion, d.score, d.threats.bot, d.threats.attack, d.threats.abuse, d.basis, d.reasons.map((r) => r.feature).join(',')]
// In sequence through one memory (each at its own time; keyed by a fixed secret, since its
// default key is random per process and moves hash collisions), then all at once without memory.
const refiner = new Refiner({ memory: new Memory({ secret: 'test:platforms' }) })
const sequential = requests.map((q) => row(refiner.refine(q.decision, { request: q.request, context: q.context, at: q.at })))
const batch = new Refiner({ memory: false }).refineBatch(requests.map((q) => ({ decision: q.decision, request: q.request, context: q.context, at: q.at }))).map(row)
const loaded = process.report.getReport().sharedObjects.filter((f) => f.endsWith('.node'))
console.log(JSON.stringify({ arch: process.arch, node: process.version, loaded, sequential, batch }))
