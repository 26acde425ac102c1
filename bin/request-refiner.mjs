#!/usr/bin/env node
// npx request-refiner <command>: simulate labeled traffic, train, evaluate, calibrate, inspect
// models, and export feature matrices. Everything but `simulate` runs in the addon (refiner-tools).
import { createWriteStream } from 'node:fs'
import { parseArgs } from 'node:util'

const USAGE = `usage: request-refiner <command> [options]

  simulate  --n N --seed S [--pool train|eval|all] [--difficulty 0.3] [--mix name=w,…] --out corpus.jsonl
  train     <corpus.jsonl> --out model.rfm [--seed 7] [--name model] [--hidden 64] [--max-epochs 30] [--skip-bad]
  eval      <model.rfm> <corpus.jsonl> [--report dir] [--skip-bad]
  calibrate <model.rfm> <corpus.jsonl> --profile P --target-fpr R [--challenge-fpr R] [--out model.rfm] [--skip-bad]
  inspect   <model.rfm>
  export    <corpus.jsonl> --out features.csv [--skip-bad]
  features  (the feature schema as Markdown)

Corpus format: docs/DATA.md. The default model: models/default.rfm (embedded).`

const COMMANDS = {
  simulate: {
    options: { n: { type: 'string', default: '10000' }, seed: { type: 'string', default: '7' }, pool: { type: 'string', default: 'all' }, difficulty: { type: 'string', default: '0.3' }, mix: { type: 'string' }, out: { type: 'string' } },
    positionals: 0,
    async run({ values }) {
      const { writeCorpus, parseMix } = await import('../lib/simulate/index.mjs')
      const out = values.out ? createWriteStream(values.out) : process.stdout
      const started = performance.now()
      const n = await writeCorpus(out, { n: int(values.n, '--n'), seed: int(values.seed, '--seed'), pool: values.pool, difficulty: Number(values.difficulty), mix: parseMix(values.mix) })
      if (values.out) console.error(`${n} samples → ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    },
  },
  train: {
    // Unset options take the trainer's defaults (TrainParams in refiner-core).
    options: { out: { type: 'string' }, seed: { type: 'string' }, name: { type: 'string' }, hidden: { type: 'string' }, 'max-epochs': { type: 'string' }, 'skip-bad': { type: 'boolean', default: false } },
    positionals: 1,
    run: ({ values, positionals: [corpus] }, native) =>
      process.stdout.write(native.trainModel(corpus, { out: required(values.out, '--out'), seed: optInt(values.seed, '--seed'), name: values.name, hidden: optInt(values.hidden, '--hidden'), maxEpochs: optInt(values['max-epochs'], '--max-epochs'), skipBad: values['skip-bad'] })),
  },
  eval: {
    options: { report: { type: 'string' }, 'skip-bad': { type: 'boolean', default: false } },
    positionals: 2,
    run({ values, positionals: [model, corpus] }, native) {
      const r = native.evaluateModel(model, corpus, { report: values.report, skipBad: values['skip-bad'] })
      process.stdout.write(r.table)
      if (r.reportPath) console.error(`report: ${r.reportPath}`)
    },
  },
  calibrate: {
    options: { profile: { type: 'string' }, 'target-fpr': { type: 'string' }, 'challenge-fpr': { type: 'string' }, out: { type: 'string' }, 'skip-bad': { type: 'boolean', default: false } },
    positionals: 2,
    run: ({ values, positionals: [model, corpus] }, native) =>
      process.stderr.write(native.calibrateModel(model, corpus, {
        profile: required(values.profile, '--profile'),
        targetFpr: Number(required(values['target-fpr'], '--target-fpr')),
        challengeFpr: values['challenge-fpr'] === undefined ? undefined : Number(values['challenge-fpr']),
        out: values.out,
        skipBad: values['skip-bad'],
      })),
  },
  inspect: { options: {}, positionals: 1, run: ({ positionals: [model] }, native) => process.stdout.write(native.inspectModel(model)) },
  export: {
    options: { out: { type: 'string' }, 'skip-bad': { type: 'boolean', default: false } },
    positionals: 1,
    run({ values, positionals: [corpus] }, native) {
      const rows = native.exportFeatures(corpus, required(values.out, '--out'), values['skip-bad'])
      console.error(`${rows} rows → ${values.out}`)
    },
  },
  features: { options: {}, positionals: 0, run: (_, native) => process.stdout.write(native.featuresMarkdown()) },
}

class UsageError extends Error {}
function required(v, flag) {
  if (v === undefined) throw new UsageError(`${flag} is required`)
  return v
}
const optInt = (v, flag) => (v === undefined ? undefined : int(v, flag))
function int(v, flag) {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} must be a non-negative integer, not ${v}`)
  return n
}

async function main(argv) {
  const [name, ...rest] = argv
  const command = COMMANDS[name]
  if (!command) {
    console.error(name && name !== '--help' && name !== 'help' ? `unknown command "${name}"\n\n${USAGE}` : USAGE)
    return name && name !== '--help' && name !== 'help' ? 2 : 0
  }
  try {
    const args = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true })
    if (args.positionals.length !== command.positionals) throw new UsageError(`${name} takes ${command.positionals} file argument(s), got ${args.positionals.length}`)
    const native = name === 'simulate' ? undefined : (await import('../native.js')).default
    await command.run(args, native)
    return 0
  } catch (e) {
    const usage = e instanceof UsageError || e.code?.startsWith?.('ERR_PARSE_ARGS')
    console.error(`request-refiner ${name}: ${e.message}${usage ? `\n\n${USAGE}` : ''}`)
    return usage ? 2 : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
