'use strict'
// Training and evaluation from JS, off the event loop: each runs on the thread pool as an
// AsyncTask; an AbortSignal stops training at its next batch and an evaluation before it starts.
const { native } = require('./schema.js')

/** Runs a native job with its abort flag tied to `signal`. */
async function job(start, signal) {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal')
  signal?.throwIfAborted()
  const flag = native.newJob()
  const abort = () => native.abortJob(flag)
  signal?.addEventListener('abort', abort, { once: true })
  try {
    return await start(flag)
  } catch (e) {
    if (signal?.aborted) throw signal.reason
    throw e
  } finally {
    signal?.removeEventListener('abort', abort)
  }
}

const object = (v, name) => {
  if (v === null || typeof v !== 'object') throw new TypeError(`${name} must be an object`)
  return v
}
const path = (v, name) => {
  if (typeof v !== 'string') throw new TypeError(`${name} must be a path string`)
  return v
}

/** Trains a model on a labeled JSONL corpus (docs/DATA.md) and writes it to `options.out`; resolves to its summary. */
async function train(corpus, options) {
  const { out, seed, name, hiddenPerHead, maxEpochs, skipBad, signal } = object(options, 'options')
  const o = { out: path(out, 'options.out'), seed, name, hiddenPerHead, maxEpochs, skipBad }
  return job((flag) => native.trainModel(path(corpus, 'corpus'), o, flag), signal)
}

/** Compares a model with the rules alone on a labeled corpus; resolves to `{ table, evaluation, reportPath }`. */
async function evaluate(model, corpus, options = {}) {
  const { report, skipBad, signal } = object(options, 'options')
  const r = await job((flag) => native.evaluateModel(path(model, 'model'), path(corpus, 'corpus'), { report, skipBad }, flag), signal)
  return { table: r.table, evaluation: JSON.parse(r.json), reportPath: r.reportPath ?? null }
}

module.exports = { train, evaluate }
