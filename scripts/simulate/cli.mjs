#!/usr/bin/env node
// Writes a simulated labeled corpus (a development tool of this repository, not of the package):
//   node scripts/simulate/cli.mjs --n 100000 --seed 7 [--pool train|eval|all] [--difficulty 0.3] [--mix name=w,…] --out corpus.jsonl
import { createWriteStream } from 'node:fs'
import { parseArgs } from 'node:util'
import { parseMix, writeCorpus } from './index.mjs'

const { values } = parseArgs({
  options: { n: { type: 'string', default: '10000' }, seed: { type: 'string', default: '7' }, pool: { type: 'string', default: 'all' }, difficulty: { type: 'string', default: '0.3' }, mix: { type: 'string' }, out: { type: 'string' } },
})
const int = (v, flag) => {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${flag} must be a non-negative integer, not ${v}`)
  return n
}
const out = values.out ? createWriteStream(values.out) : process.stdout
const started = performance.now()
const n = await writeCorpus(out, { n: int(values.n, '--n'), seed: int(values.seed, '--seed'), pool: values.pool, difficulty: Number(values.difficulty), mix: parseMix(values.mix) })
if (values.out) console.error(`${n} samples → ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
