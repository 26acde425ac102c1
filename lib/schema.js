'use strict'
// The native build's layouts and tables, read once: the JS layer never re-lists them.
const native = require('./load-native.js').loadNative()

const schema = JSON.parse(native.schemaJson())
// Without a prototype, so input strings such as 'constructor' or '__proto__' find nothing.
const lookup = (entries) => Object.assign(Object.create(null), Object.fromEntries(entries))
const codeTable = (names, base = 1) => lookup(names.map((n, i) => [n, i + base]))

module.exports = {
  native,
  schema,
  codes: {
    conclusion: codeTable(schema.input.conclusions),
    ruleKind: codeTable(schema.input.ruleKinds),
    state: codeTable(schema.input.states),
    method: codeTable(schema.input.methods),
    route: codeTable(schema.input.routes, 0),
    emailType: lookup(schema.input.emailTypes.map((n, i) => [n, 1 << i])),
  },
}
