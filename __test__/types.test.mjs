import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { contextMembers, generated } from '../scripts/gen-types.mjs'
import { ROOT as root } from './fixtures.mjs'

const require = createRequire(import.meta.url)
const { schema } = require('../lib/schema.js')
const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')

test('index.d.ts compiles under tsc --strict against a usage file', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--types', 'node', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '__test__/types-check.ts'], { cwd: root, stdio: 'pipe' })
})

test('index.d.ts declares exactly the context fields the native schema defines (scripts/gen-types.mjs)', () => {
  assert.equal(dts, generated(dts, schema), 'index.d.ts is stale: run `node scripts/gen-types.mjs`')
  for (const p of schema.profiles) assert.ok(dts.includes(`'${p}'`), p)
  for (const e of schema.memory.events) assert.ok(dts.includes(`'${e}'`), `outcome event ${e} missing from index.d.ts`)
  for (const b of schema.output.bases) assert.ok(dts.includes(`'${b}'`), `basis ${b} missing from index.d.ts`)
})

test('a context field is one declaration: the schema\'s list drives index.d.ts and docs/FEATURES.md', () => {
  // A field added to the schema (here, in a copy of it) appears in the generated types with its docs and range.
  const added = structuredClone(schema)
  added.input.contextFields.push({ key: 'giftCards', flag: false, max: 50, unit: 'cards', doc: 'Gift cards redeemed in this session.' })
  assert.match(contextMembers(added), /Gift cards redeemed in this session\. Plausible up to 50 cards.*\*\/\n\s+giftCards\?: number/)
  const features = readFileSync(new URL('../docs/FEATURES.md', import.meta.url), 'utf8')
  for (const f of schema.input.contextFields) assert.ok(features.includes(`| \`${f.key}\` |`), `context.${f.key} missing from docs/FEATURES.md`)
  for (const f of schema.input.contextFields) assert.ok(dts.includes(`  ${f.key}?: ${f.flag ? 'boolean' : 'number'}`), `context.${f.key} missing from index.d.ts`)
})
