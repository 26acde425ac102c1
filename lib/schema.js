'use strict'
// The native build's layouts and tables, read once: the JS layer never re-lists them.
const native = require('./load-native.js').loadNative()

const schema = JSON.parse(native.schemaJson())
// Maps, so input strings such as 'constructor' or '__proto__' find nothing, and lookups with a
// name that varies do not go through V8's megamorphic property cache.
const codeTable = (names, base = 1) => new Map(names.map((n, i) => [n, i + base]))

module.exports = {
  native,
  schema,
  codes: {
    conclusion: codeTable(schema.input.conclusions),
    ruleKind: codeTable(schema.input.ruleKinds),
    state: codeTable(schema.input.states),
    method: codeTable(schema.input.methods),
    route: codeTable(schema.input.routes, 0),
    emailType: new Map(schema.input.emailTypes.map((n, i) => [n, 1 << i])),
  },
}
