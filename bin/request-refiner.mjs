#!/usr/bin/env node
// npx request-refiner <command>: train, evaluate, calibrate, inspect and export models, and print
// the feature schema. The command line is the Rust `refiner`'s, declared once with clap in
// crates/refiner-tools and run inside the addon, so both print the same help and take the same
// arguments. The traffic simulator is a development tool of this repository (scripts/simulate),
// not part of the package.
import { createRequire } from 'node:module'

const { loadNative } = createRequire(import.meta.url)('../lib/load-native.js')
process.exitCode = loadNative().runCli(process.argv.slice(2))
