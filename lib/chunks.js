'use strict'
// The buffers refineBatchAsync packs its chunks into, kept from batch to batch. A batch's buffers
// outlive two young-generation collections, so V8 frees them only in a full one: allocated for
// each batch (~25 MB per 10,000 items with the outcome rows), they passed V8's external-memory
// limit every 2-3 batches, which starts a full collection ("external memory pressure" in
// --trace-incremental-marking) whose pauses land on the event loop.
const { WIDTH } = require('./pack.js')

/** Items a chunk holds at most. */
const CHUNK_ITEMS = 256
// Chunks kept for the next batch at most (10,240 items' rows, 6.8 MB, plus their texts), and for
// how long without a batch: an idle process gives them back to the collector.
const MAX_KEPT = 40
const KEEP_MS = 1000

let kept = []
let forget

/** A chunk's buffers: `nums`, CHUNK_ITEMS packed rows, and `texts`, bytes for their texts. */
function takeChunk() {
  return kept.pop() ?? { nums: new Float64Array(CHUNK_ITEMS * WIDTH), texts: Buffer.allocUnsafe(0) }
}

/** Gives back a chunk no native task reads any more. */
function giveBack(chunk) {
  if (kept.length < MAX_KEPT) kept.push(chunk)
  forget ??= setTimeout(() => (kept = []), KEEP_MS).unref()
  forget.refresh()
}

/** `s` as UTF-8 in the chunk's bytes (grown when they are too few); the written part. */
function writeTexts(chunk, s) {
  const size = Buffer.byteLength(s)
  if (size > chunk.texts.length) chunk.texts = Buffer.allocUnsafe(size + (size >> 2))
  chunk.texts.write(s, 0, size, 'utf8')
  return chunk.texts.subarray(0, size)
}

module.exports = { CHUNK_ITEMS, takeChunk, giveBack, writeTexts }
