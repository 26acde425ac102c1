// Writes the parts of index.d.ts that restate the native schema (the context fields, with their
// meaning and plausible range, and the features' names) between its generated markers, so adding
// a context field is one declaration in crates/refiner-core/src/decision/context.rs:
//   node scripts/gen-types.mjs          (after npm run build; __test__/types.test.mjs checks it is current)
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const DTS = new URL('../index.d.ts', import.meta.url)
export const BEGIN = '  // --- generated from the native schema by scripts/gen-types.mjs: do not edit by hand ---'
export const END = '  // --- end of generated ---'

/** The generated body of `AppContext`. */
export function contextMembers(schema) {
  const lines = []
  for (const f of schema.input.contextFields) {
    const range = f.flag ? '' : ` Plausible up to ${f.max.toLocaleString('en')} ${f.unit}: larger values are clamped and counted by \`context.implausible\`.`
    lines.push(`  /** ${f.doc}${range} */`, `  ${f.key}?: ${f.flag ? 'boolean' : 'number'}`)
  }
  for (const t of schema.input.texts.filter((t) => t.source.startsWith('context.'))) {
    lines.push(`  /** ${t.doc} A memory key: hashed, never stored. */`, `  ${t.name}?: string`)
  }
  return [BEGIN, ...lines, END].join('\n')
}

/** index.d.ts with its generated region rewritten. */
export function generated(dts, schema) {
  const start = dts.indexOf(BEGIN)
  const end = dts.indexOf(END)
  if (start < 0 || end < start) throw new Error('index.d.ts has no generated region markers')
  return dts.slice(0, start) + contextMembers(schema) + dts.slice(end + END.length)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { schema } = require('../lib/schema.js')
  writeFileSync(DTS, generated(readFileSync(DTS, 'utf8'), schema))
}
