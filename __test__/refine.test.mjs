import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { Refiner, RefinedDecision, refine, features } from '../index.mjs'
import cjs from '../index.js'
import { allowDecision, browserInput, deepFreeze, scriptInput } from './fixtures.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

test('a logged-in browser checkout is allowed, a script sign-up is denied', () => {
  const r = new Refiner({ profile: 'checkout' })
  const ok = r.refine(allowDecision(), browserInput())
  assert.equal(ok.conclusion, 'ALLOW')
  assert.ok(ok.isAllowed() && !ok.isDenied() && !ok.isChallenged() && !ok.isErrored())
  const bad = new Refiner({ profile: 'signup' }).refine(allowDecision(), scriptInput())
  assert.equal(bad.conclusion, 'DENY')
  assert.ok(bad.isDenied())
  assert.equal(bad.overridden, true, 'the rules allowed it; the model disagreed')
  assert.ok(bad.threats.bot > 0.5 && bad.score === Math.max(bad.threats.bot, bad.threats.attack, bad.threats.abuse))
})

test('works with no decision and no input at all', () => {
  const d = new Refiner().refine()
  assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(d.conclusion))
  assert.equal(d.rulesConclusion, null)
  assert.deepEqual(d.rules, [])
})

test('refineAsync and the module-level refine resolve to what refine returns', async () => {
  // Each sees the request for the first time: the module's refiner and two of memory's own.
  const sync = new Refiner().refine(allowDecision(), scriptInput())
  const r = new Refiner()
  const asyncResult = await r.refineAsync(allowDecision(), scriptInput())
  const moduleResult = await refine(allowDecision(), scriptInput())
  assert.ok(asyncResult instanceof RefinedDecision)
  assert.deepEqual(asyncResult.toJSON(), sync.toJSON())
  assert.deepEqual(moduleResult.toJSON(), sync.toJSON())
  await assert.rejects(r.refineAsync({ conclusion: 7 }), { name: 'TypeError', message: 'decision.conclusion must be a string' })
  await assert.rejects(refine({ results: 'x' }), { name: 'TypeError', message: 'decision.results must be an array' })
})

test('refineBatch matches refine item by item, in order', () => {
  const r = new Refiner({ profile: 'signup', memory: false })
  const items = []
  for (let i = 0; i < 300; i++) items.push({ decision: allowDecision(), ...(i % 3 ? browserInput() : scriptInput()) })
  const batch = r.refineBatch(items)
  assert.equal(batch.length, items.length)
  for (let i = 0; i < items.length; i++) assert.deepEqual(batch[i].toJSON(), r.refine(items[i].decision, items[i]).toJSON())
  assert.deepEqual(r.refineBatch([]), [])
  assert.throws(() => r.refineBatch([{}, { context: { route: 3 } }]), { name: 'TypeError', message: 'items[1].context.route must be a string' })
})

test('DRY_RUN allows but records what LIVE would conclude', () => {
  const live = new Refiner({ profile: 'signup' }).refine(allowDecision(), scriptInput())
  const dry = new Refiner({ profile: 'signup', mode: 'DRY_RUN' }).refine(allowDecision(), scriptInput())
  assert.equal(live.conclusion, 'DENY')
  assert.equal(dry.conclusion, 'ALLOW')
  assert.equal(dry.liveConclusion, 'DENY')
  assert.equal(dry.mode, 'DRY_RUN')
  assert.equal(dry.score, live.score)
})

test('every profile loads, and checkout is never stricter than default', () => {
  const scores = []
  for (const profile of ['default', 'signup', 'login', 'checkout', 'api']) {
    const r = new Refiner({ profile })
    const d = r.refine(allowDecision(), browserInput())
    assert.equal(d.profile, profile)
    assert.match(d.modelVersion, /^default@[0-9a-f]{8}$/)
    scores.push(d.score)
  }
  assert.ok(scores.every((s) => s === scores[0]), 'profiles change thresholds, not scores')
  // Overridden thresholds move a request that carries evidence either way; one without any stays
  // as the rules said however low they go.
  const borderline = browserInput()
  borderline.context.failedLogins = 3
  const strict = new Refiner({ thresholds: { challenge: 0, deny: 0 } })
  assert.equal(new Refiner().refine(allowDecision(), borderline).conclusion, 'ALLOW')
  assert.equal(strict.refine(allowDecision(), borderline).conclusion, 'DENY')
  assert.equal(strict.refine(allowDecision(), browserInput()).conclusion, 'ALLOW', 'no evidence, no escalation')
  const lax = new Refiner({ thresholds: { challenge: 1, deny: 1 } }).refine(allowDecision(), scriptInput())
  assert.equal(lax.conclusion, 'ALLOW')
})

test('reasons name schema features with signed contributions and readable text', () => {
  const d = new Refiner({ profile: 'signup' }).refine(allowDecision(), scriptInput())
  const names = new Set(features().map((f) => f.name))
  assert.ok(d.reasons.length > 0 && d.reasons.length <= 6)
  for (const r of d.reasons) {
    assert.ok(names.has(r.feature), r.feature)
    assert.equal(typeof r.contribution, 'number')
    assert.equal(typeof r.value, 'number')
    assert.match(r.text, r.evidence ? /is evidence of (bot|attack|abuse): raised above the rules$/ : /(raises|lowers) (bot|attack|abuse) risk$/)
  }
  const evidence = d.reasons.filter((r) => r.evidence)
  assert.ok(evidence.length > 0, 'the escalation names its evidence')
  assert.deepEqual(d.reasons.slice(0, evidence.length), evidence, 'evidence first')
  const abs = d.reasons.filter((r) => !r.evidence).map((r) => Math.abs(r.contribution))
  assert.deepEqual(abs, [...abs].sort((a, b) => b - a), 'then the strongest first')
  assert.ok(d.reasons.some((r) => r.contribution > 0), 'a denied request has reasons that raise its risk')
})

test('rules and toJSON are safe to log: no cookie, header or body values', () => {
  const input = browserInput()
  input.request.body = { comment: 'my password is hunter2' }
  const d = new Refiner().refine(allowDecision(), input)
  assert.deepEqual(d.rules.map((r) => r.type), ['BOT', 'SHIELD', 'RATE_LIMIT'])
  assert.equal(d.rules[2].remaining, 55)
  const json = JSON.stringify(d)
  assert.ok(!json.includes('secret-session-cookie') && !json.includes('hunter2') && !json.includes('203.0.113.5'))
  assert.deepEqual(JSON.parse(json).threats, d.threats)
})

test('the caller’s objects are never mutated (deeply frozen inputs work)', () => {
  const decision = deepFreeze(allowDecision())
  const input = deepFreeze(browserInput())
  const d = new Refiner().refine(decision, input)
  assert.equal(d.conclusion, 'ALLOW')
})

test('CommonJS and ESM export the same API', () => {
  assert.equal(cjs.Refiner, Refiner)
  assert.equal(cjs.refine, refine)
  assert.ok(features().length >= 40)
})

test('headers as a fetch Headers object, a Map or mixed-case keys read the same', () => {
  const r = new Refiner({ memory: false })
  const base = browserInput()
  const plain = r.refine(allowDecision(), base).toJSON()
  const asHeaders = r.refine(allowDecision(), { ...base, request: { ...base.request, headers: new Headers(base.request.headers) } }).toJSON()
  const asMap = r.refine(allowDecision(), { ...base, request: { ...base.request, headers: new Map(Object.entries(base.request.headers)) } }).toJSON()
  const upper = Object.fromEntries(Object.entries(base.request.headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]))
  const mixed = r.refine(allowDecision(), { ...base, request: { ...base.request, headers: upper } }).toJSON()
  assert.deepEqual(asHeaders.threats, plain.threats)
  assert.deepEqual(asMap.threats, plain.threats)
  assert.deepEqual(mixed.threats, plain.threats)
})

test('a model can be loaded from a Buffer or a path, and a corrupt one is refused', async () => {
  const { readFileSync, writeFileSync, mkdtempSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const bytes = readFileSync(new URL('../models/default.rfm', import.meta.url))
  const fromBuffer = new Refiner({ model: bytes })
  assert.equal(fromBuffer.modelVersion, new Refiner().modelVersion)
  const dir = mkdtempSync(join(tmpdir(), 'rfm-'))
  const path = join(dir, 'm.rfm')
  writeFileSync(path, bytes)
  assert.equal(new Refiner({ model: path }).modelVersion, fromBuffer.modelVersion)
  const corrupt = Buffer.from(bytes)
  corrupt[100] ^= 0xff
  assert.throws(() => new Refiner({ model: corrupt }), /model checksum mismatch/)
  assert.throws(() => new Refiner({ model: bytes.subarray(0, 50) }), /corrupted or truncated/)
  assert.throws(() => new Refiner({ model: Buffer.from('GIF89a-not-a-model') }), /wrong magic bytes/)
  assert.throws(() => new Refiner({ model: dir }), /is not a regular file/)
  assert.throws(() => new Refiner({ model: join(dir, 'missing.rfm') }), /missing\.rfm/)
})

test('without code generation (node --disallow-code-generation-from-strings) refines the same', () => {
  // The packer's readers and lookups are compiled from the schema's names; hardened hosts that
  // forbid that get the plain readers, which must give the same results and errors.
  const script = `
    const { Refiner } = require('./index.js')
    const r = new Refiner({ memory: false, profile: 'login' })
    const out = []
    for (let i = 0; i < 50; i++) {
      const d = r.refine(
        { conclusion: i % 3 ? 'DENY' : 'ALLOW', results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: i % 2 ? 'RATE_LIMIT' : 'BOT', max: 5, remaining: i % 5, denied: ['CURL'] } }] },
        { request: { ip: '10.0.0.' + i, method: i % 2 ? 'post' : 'GET', email: 'u' + i + '@Example.com', headers: { 'User-Agent': i % 2 ? 'curl/8' : 'Mozilla/5.0', Accept: '*/*' } },
          context: { route: 'login', failedLogins: i % 7, loggedIn: i % 2 === 0, accountId: 'a' + i, sessionAgeS: i * 10 } })
      out.push([d.conclusion, d.threats.bot, d.threats.abuse, d.reasons.map((x) => x.feature).join()])
    }
    let error = ''
    try { r.refine({ conclusion: 'MAYBE' }) } catch (e) { error = e.message }
    try { r.refine(null, { context: { cartValue: '1' } }) } catch (e) { error += ' | ' + e.message }
    console.log(JSON.stringify({ out, error }))`
  const run = (flags) => {
    const p = spawnSync(process.execPath, [...flags, '-e', script], { cwd: root, encoding: 'utf8' })
    assert.equal(p.status, 0, p.stderr)
    return JSON.parse(p.stdout)
  }
  const plain = run([])
  assert.deepEqual(run(['--disallow-code-generation-from-strings']), plain)
  assert.equal(plain.error, 'decision.conclusion must be one of ALLOW, DENY, CHALLENGE, ERROR | context.cartValue must be a finite number ≥ 0')
})

test('refineBatchAsync resolves to what refineBatch returns, and a bad item rejects before any is recorded', async () => {
  const items = []
  for (let i = 0; i < 700; i++) items.push({ decision: allowDecision(), ...(i % 3 ? browserInput() : scriptInput()) })
  const a = new Refiner({ profile: 'signup', memory: false })
  const asyncBatch = await a.refineBatchAsync(items)
  const syncBatch = a.refineBatch(items)
  assert.equal(asyncBatch.length, items.length)
  for (let i = 0; i < items.length; i += 7) assert.deepEqual(asyncBatch[i].toJSON(), syncBatch[i].toJSON())
  const r = new Refiner()
  const probe = { request: { ip: '198.51.100.99' } }
  const bad = [...items.slice(0, 600), { context: { route: 3 } }]
  await assert.rejects(r.refineBatchAsync(bad), { name: 'TypeError', message: 'items[600].context.route must be a string' })
  assert.equal(r.recall(probe).ip.known, false)
  assert.equal(r.recall(browserInput()).ip.known, false, 'no item of the rejected batch reached memory')
  await assert.rejects(r.refineBatchAsync('x'), { name: 'TypeError', message: 'items must be an array' })
})

test('concurrent refineBatchAsync calls, one rejected, each resolve to what refineBatch returns', async () => {
  // Large bodies cut chunks short; the batches take turns with the chunk buffers they give back.
  const items = []
  for (let i = 0; i < 900; i++) {
    const input = i % 3 ? browserInput() : scriptInput()
    if (i % 50 === 0) input.request.body = { note: `${i} `.repeat(20000) }
    items.push({ decision: allowDecision(), ...input })
  }
  const r = new Refiner({ profile: 'signup', memory: false })
  const bad = [...items.slice(0, 700), { context: { route: 3 } }]
  const [one, rejected, two] = await Promise.allSettled([r.refineBatchAsync(items), r.refineBatchAsync(bad), r.refineBatchAsync(items.slice(300))])
  assert.equal(rejected.reason.message, 'items[700].context.route must be a string')
  const sync = r.refineBatch(items)
  for (let i = 0; i < items.length; i += 5) assert.deepEqual(one.value[i].toJSON(), sync[i].toJSON())
  for (let i = 300; i < items.length; i += 5) assert.deepEqual(two.value[i - 300].toJSON(), sync[i].toJSON())
})
