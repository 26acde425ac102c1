// The real-source evaluation corpus (scripts/eval-real/): a 2,000-row corpus keeps its invariants —
// every scenario's labels, every row's source, the rules' verdicts the scenario stands for, time
// order, ids consistent within a session — and the same seed gives the same file.
// Fetches its public material first (scripts/eval-real/install.sh: Debian packages, a venv).

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'

const root = join(import.meta.dirname, '..')
const index = JSON.parse(readFileSync(join(root, 'data', 'clients', 'index.json'), 'utf8'))
const arcjetByFile = new Map(index.captures.map((c) => [c.file.replace(/\.json$/, ''), c.arcjet.shop]))

let gen
let lines
let requests

before(async () => {
  execFileSync('bash', [join(root, 'scripts', 'eval-real', 'install.sh')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600e3 })
  gen = await import('../scripts/eval-real/generate.mjs')
  lines = (await gen.generate({ seed: 7, rows: 2000 })).lines
  requests = lines.filter((l) => !l.event)
}, { timeout: 900e3 })

describe('eval-real corpus', { timeout: 900e3 }, () => {
  it('has about the rows asked for, every scenario, and time order', () => {
    assert.ok(requests.length >= 1800 && requests.length <= 2600, `${requests.length} rows`)
    for (const s of gen.SCENARIOS) assert.ok(requests.some((l) => l.scenario === s), `no ${s} row`)
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i].at >= lines[i - 1].at, `line ${i} goes back in time`)
    for (const l of lines) assert.equal(typeof l.at, 'number')
  })

  it('gives every row a source, a known scenario and three boolean labels', () => {
    for (const l of requests) {
      assert.equal(typeof l.source, 'string')
      assert.ok(l.source.length > 0)
      assert.ok(gen.SCENARIOS.includes(l.scenario), l.scenario)
      for (const k of ['bot', 'attack', 'abuse']) assert.equal(typeof l.labels[k], 'boolean')
    }
    for (const l of lines.filter((x) => x.event)) assert.ok(['login_ok', 'login_failed', 'payment_ok', 'signup_confirmed'].includes(l.event))
  })

  it('labels each scenario as the evaluation defines it', () => {
    for (const l of requests) {
      const { bot, attack, abuse } = l.labels
      const legit = !bot && !attack && !abuse
      switch (l.scenario) {
        case 'ordinary': case 'new_visitor': case 'privacy': case 'waf_false_positive': assert.ok(legit, `${l.scenario} labelled ${JSON.stringify(l.labels)}`); break
        case 'rules_correct_block': assert.ok(bot || attack, 'a correct block is a bot or an attack'); break
        case 'missed_attack_anonymous': case 'missed_attack_logged_in': assert.ok(attack && l.meta.payload, 'an attack row carries its payload'); break
        case 'missed_bot': assert.ok(bot && !attack); break
        default: assert.fail(l.scenario)
      }
    }
  })

  it('keeps the rules verdict each scenario stands for', () => {
    for (const l of requests) {
      const c = l.decision.conclusion
      if (['ordinary', 'new_visitor', 'missed_attack_anonymous', 'missed_attack_logged_in', 'missed_bot'].includes(l.scenario)) assert.equal(c, 'ALLOW', `${l.scenario} the rules denied`)
      if (l.scenario === 'rules_correct_block') assert.equal(c, 'DENY')
      if (l.scenario === 'waf_false_positive') {
        assert.equal(c, 'DENY')
        assert.ok(['SHIELD', 'RATE_LIMIT'].includes(l.decision.reason.type), l.decision.reason.type)
      }
      if (c === 'DENY' && l.decision.reason.type === 'SHIELD') assert.ok(l.meta.crs.length > 0, 'a shield DENY names the CRS rules that matched')
      if (l.decision.reason.type === 'BOT') assert.deepEqual(l.decision.ip, {}, 'a local bot DENY has no ip details')
    }
    // The WAF decided: some payloads were caught, some missed; the rate limit fired somewhere.
    assert.ok(requests.some((l) => l.scenario === 'rules_correct_block' && l.decision.reason.type === 'SHIELD'))
    assert.ok(requests.some((l) => l.decision.reason.type === 'RATE_LIMIT'))
  })

  it('takes missed bots from clients Arcjet lets through, and new visitors from the first 90 s', () => {
    for (const l of requests.filter((x) => x.scenario === 'missed_bot' && x.source.startsWith('data/clients '))) {
      assert.notEqual(arcjetByFile.get(l.source.slice('data/clients '.length)), 'DENY', l.source)
    }
    for (const l of requests.filter((x) => x.scenario === 'new_visitor')) {
      if (l.context.sessionAgeS != null) assert.ok(l.context.sessionAgeS < 90, `new visitor at ${l.context.sessionAgeS} s`)
    }
  })

  it('keeps ids consistent within a session', () => {
    const account = new Map()
    for (const l of requests) {
      const { sessionId, accountId } = l.context ?? {}
      if (!sessionId || !accountId) continue
      if (account.has(sessionId)) assert.equal(account.get(sessionId), accountId, `session ${sessionId} changed account`)
      else account.set(sessionId, accountId)
    }
  })

  it('is reproducible with its seed', async () => {
    const again = (await gen.generate({ seed: 7, rows: 2000 })).lines
    assert.equal(again.length, lines.length)
    assert.equal(JSON.stringify(again), JSON.stringify(lines))
    const other = (await gen.generate({ seed: 8, rows: 2000 })).lines
    assert.notEqual(JSON.stringify(other), JSON.stringify(lines))
  })

  it('is refined by run.mjs through the public API, with a neutralized copy of the threats', async () => {
    const run = await import('../scripts/eval-real/run.mjs')
    const results = run.refineAll(lines, { keepReasons: () => true })
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].event) assert.equal(results[i], undefined)
      else assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(results[i].conclusion))
    }
    const neutral = run.neutralize(lines)
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]
      if (l.event || !['rules_correct_block', 'missed_attack_anonymous', 'missed_attack_logged_in', 'missed_bot'].includes(l.scenario)) assert.equal(neutral[i], l)
      else {
        assert.notEqual(neutral[i].request.ip, l.request.ip)
        assert.ok(Object.values(neutral[i].decision.ip).every((v) => v === false))
        assert.equal(neutral[i].decision.conclusion, l.decision.conclusion)
        assert.equal(neutral[i].context.route, l.context.route)
      }
    }
    const rows = run.report(lines, results, run.refineAll(neutral))
    assert.deepEqual(rows.map((r) => r.scenario), gen.SCENARIOS)
    for (const r of rows) {
      assert.ok(r.n > 0 && r.refined >= 0 && r.refined <= 1, r.id)
      assert.ok(r.sources.length > 0)
    }
    assert.match(run.markdown(rows, { corpus: 'x', requests: requests.length, modelVersion: 'm' }), /\| traffic \| rules alone \| refined \| target \|/)
  })
})
