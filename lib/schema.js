'use strict'
// The native build's layouts and tables, read once: the JS layer never re-lists them.
const native = require('./load-native.js').loadNative()

const schema = JSON.parse(native.schemaJson())
/**
 * `new Function(...params, body)`, compiled from the schema's own names only; `fallback` where the
 * host forbids code generation (node --disallow-code-generation-from-strings).
 */
function compiled(params, body, fallback) {
  try {
    return new Function(...params, body)
  } catch (e) {
    if (e instanceof EvalError) return fallback
    throw e
  }
}

/**
 * A lookup of `[name, value]` entries compiled into a `switch` (undefined when the name is not
 * one of them): V8 compares interned strings by pointer, a few ns, where a Map.get costs ~6 ns and
 * an object's keyed load with varying names ~15 ns. Names such as '__proto__' find nothing.
 */
function lookup(entries) {
  const map = new Map(entries)
  const cases = entries.map(([k, c]) => `  case ${JSON.stringify(k)}: return ${JSON.stringify(c)}`).join('\n')
  return compiled(['v'], `switch (v) {\n${cases}\n}`, (v) => map.get(v))
}
// Each code table as the core declares it: { name: code }.
const codes = Object.fromEntries(Object.entries(schema.input.codes).map(([table, entries]) => [table, lookup(Object.entries(entries))]))

module.exports = { native, schema, lookup, compiled, codes }
