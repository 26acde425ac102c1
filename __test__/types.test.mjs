import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { ROOT as root } from './fixtures.mjs'

const require = createRequire(import.meta.url)

test('index.d.ts compiles under tsc --strict against a usage file', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--types', 'node', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '__test__/types-check.ts'], { cwd: root, stdio: 'pipe' })
})

test('every context field of the native schema is declared and documented in index.d.ts', () => {
  const { schema } = require('../lib/schema.js')
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  for (const { key } of schema.input.contextFields) assert.match(dts, new RegExp(`\\*/\\n\\s+${key}\\?:`), `context.${key} missing from index.d.ts`)
  for (const p of schema.profiles) assert.ok(dts.includes(`'${p}'`), p)
  for (const key of schema.input.identityFields) assert.match(dts, new RegExp(`\\*/\\n\\s+${key}\\?:`), `context.${key} missing from index.d.ts`)
  for (const e of schema.memory.events) assert.ok(dts.includes(`'${e}'`), `outcome event ${e} missing from index.d.ts`)
})
