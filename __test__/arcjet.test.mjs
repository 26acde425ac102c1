// Real Arcjet SDK objects: the decision classes of @arcjet/protocol (getters, prototype methods,
// non-enumerable ip flags) and aj.protect() running its local rules offline.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import arcjet, { detectBot, sensitiveInfo, validateEmail } from 'arcjet'
import {
  ArcjetAllowDecision, ArcjetBotReason, ArcjetDenyDecision, ArcjetEmailReason, ArcjetErrorDecision, ArcjetErrorReason,
  ArcjetIpDetails, ArcjetRateLimitReason, ArcjetReason, ArcjetRuleResult, ArcjetSensitiveInfoReason, ArcjetShieldReason,
} from '@arcjet/protocol'
import { Refiner } from '../index.mjs'
import { CHROME, browserInput, scriptInput } from './fixtures.mjs'

const result = (conclusion, reason, state = 'RUN') => new ArcjetRuleResult({ ruleId: '', fingerprint: '', ttl: 0, state, conclusion, reason })

function classDecision({ deny = false, ip = {} } = {}) {
  const results = [
    result(deny ? 'DENY' : 'ALLOW', new ArcjetBotReason({ allowed: [], denied: deny ? ['CURL'] : [], verified: false, spoofed: false })),
    result('ALLOW', new ArcjetShieldReason({ shieldTriggered: false })),
    result('ALLOW', new ArcjetRateLimitReason({ max: 60, remaining: 40, reset: 30, window: 60, resetTime: new Date() })),
    result('ALLOW', new ArcjetEmailReason({ emailTypes: ['FREE'] })),
    result('ALLOW', new ArcjetSensitiveInfoReason({ allowed: [], denied: [] }), 'DRY_RUN'),
  ]
  const Decision = deny ? ArcjetDenyDecision : ArcjetAllowDecision
  return new Decision({ ttl: 0, reason: results[0].reason, results, ip: new ArcjetIpDetails(ip) })
}

test('class instances and their JSON form refine identically (flags read through methods)', () => {
  // Without memory, so the three refines of one request see the same (empty) history.
  const r = new Refiner({ memory: false })
  const d = classDecision({ ip: { country: 'US', isHosting: true, isVpn: true } })
  assert.equal(d.ip.isHosting(), true)
  assert.equal(JSON.stringify(d.ip).includes('isHosting'), false, 'JSON hides the ip flags')
  const fromClass = r.refine(d, browserInput())
  // Logs carry the flags as booleans; give the JSON what the methods said.
  const logged = JSON.parse(JSON.stringify(d))
  logged.ip = { ...logged.ip, isHosting: true, isVpn: true }
  const fromJson = r.refine(logged, browserInput())
  assert.deepEqual(fromJson.toJSON(), fromClass.toJSON())
  const hidden = r.refine(JSON.parse(JSON.stringify(d)), browserInput())
  assert.notDeepEqual(hidden.threats, fromClass.threats, 'without the flags the ip looks residential')
})

test('ip flags change the refined score', () => {
  const r = new Refiner()
  const residential = r.refine(classDecision({ ip: { country: 'US' } }), scriptInput())
  const hosting = r.refine(classDecision({ ip: { country: 'US', isHosting: true, isProxy: true, isTor: true } }), scriptInput())
  assert.notEqual(hosting.threats.bot, residential.threats.bot)
})

test('a DENY decision with a bot reason, and an ERROR decision (Arcjet fails open)', () => {
  const r = new Refiner({ profile: 'signup' })
  const denied = r.refine(classDecision({ deny: true }), scriptInput())
  assert.equal(denied.rulesConclusion, 'DENY')
  assert.equal(denied.conclusion, 'DENY')
  assert.equal(denied.overridden, false)
  assert.deepEqual(denied.rules[0], { type: 'BOT', state: 'RUN', conclusion: 'DENY', verified: false, spoofed: false, denied: ['CURL'], allowed: [] })
  assert.equal(denied.rules[4].state, 'DRY_RUN')
  const errored = new ArcjetErrorDecision({ ttl: 0, reason: new ArcjetErrorReason('timeout'), results: [], ip: new ArcjetIpDetails() })
  const d = r.refine(errored, browserInput())
  assert.equal(d.rulesConclusion, 'ERROR')
  assert.ok(!d.isErrored(), 'the rules erred, the refiner did not')
})

test('unknown rule types are tolerated', () => {
  const r = new Refiner()
  const d = classDecision()
  const future = { conclusion: 'ALLOW', results: [...d.results, { state: 'RUN', conclusion: 'ALLOW', reason: { type: 'VELOCITY_V2', score: 3 } }] }
  const refined = r.refine(future, browserInput())
  assert.equal(refined.rules.at(-1).type, 'VELOCITY_V2')
  const noType = new ArcjetAllowDecision({ ttl: 0, reason: new ArcjetReason(), results: [], ip: new ArcjetIpDetails() })
  assert.equal(r.refine(noType, browserInput()).rulesConclusion, 'ALLOW')
})

const silent = { debug() {}, info() {}, warn() {}, error() {} }
// Never reached for rules that run locally; the offline stand-in for Arcjet's cloud.
const offlineClient = {
  async decide() {
    return new ArcjetAllowDecision({ ttl: 0, reason: new ArcjetReason(), results: [], ip: new ArcjetIpDetails() })
  },
  report() {},
}

test('aj.protect() offline: real local bot, email and sensitive-info rules, then the refiner', async () => {
  const aj = arcjet({
    key: 'ajkey_offline_test',
    rules: [detectBot({ mode: 'LIVE', allow: [] }), validateEmail({ mode: 'LIVE', deny: ['INVALID'] }), sensitiveInfo({ mode: 'LIVE', deny: ['CREDIT_CARD_NUMBER'] })],
    client: offlineClient,
    log: silent,
  })
  const protect = (ip, ua, email, body) =>
    aj.protect(
      { key: 'ajkey_offline_test', getBody: async () => body, log: silent, characteristics: [] },
      { ip, method: 'POST', protocol: 'https:', host: 'shop.example', path: '/signup', headers: new Headers({ 'user-agent': ua }), email, cookies: '', query: '' },
    )

  const curl = await protect('198.51.100.20', 'curl/8.5.0', 'a.b@example.com', 'name=Ann')
  assert.equal(curl.conclusion, 'DENY')
  assert.equal(curl.reason.isBot(), true)
  // Arcjet stops at the first rule that denies: here the card number in the body.
  const browser = await protect('198.51.100.21', CHROME, 'not-an-email', 'card 4242 4242 4242 4242')
  assert.equal(browser.conclusion, 'DENY')
  assert.equal(browser.reason.isSensitiveInfo(), true)

  const r = new Refiner({ profile: 'signup' })
  const refinedCurl = r.refine(curl, scriptInput())
  assert.equal(refinedCurl.conclusion, 'DENY')
  assert.ok(refinedCurl.rules.some((x) => x.type === 'BOT' && x.conclusion === 'DENY'))
  const refinedBrowser = r.refine(browser, browserInput())
  assert.equal(refinedBrowser.rulesConclusion, 'DENY')
  assert.ok(refinedBrowser.rules.length >= 1)
  assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(refinedBrowser.conclusion))
})
