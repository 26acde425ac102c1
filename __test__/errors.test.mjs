// Bad input never crashes: a wrong type throws a TypeError naming the field path; an option out
// of range throws a RangeError naming the option.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Refiner } from '../index.mjs'
import { allowDecision, browserInput } from './fixtures.mjs'

const withResult = (i, reason, extra = {}) => {
  const d = allowDecision()
  d.results[i] = { ...d.results[i], ...extra, reason: reason === undefined ? d.results[i].reason : reason }
  return d
}
const withRequest = (patch) => ({ ...browserInput(), request: { ...browserInput().request, ...patch } })
const withContext = (patch) => ({ ...browserInput(), context: { ...browserInput().context, ...patch } })

const BAD_INPUTS = [
  ['decision is a number', 42, undefined, 'decision must be an object'],
  ['decision is a string', 'DENY', undefined, 'decision must be an object'],
  ['unknown conclusion', { conclusion: 'MAYBE' }, undefined, 'decision.conclusion must be one of ALLOW, DENY, CHALLENGE, ERROR'],
  ['conclusion not a string', { conclusion: true }, undefined, 'decision.conclusion must be a string'],
  ['reason not an object', { reason: 'BOT' }, undefined, 'decision.reason must be an object'],
  ['reason.type not a string', { reason: { type: 5 } }, undefined, 'decision.reason.type must be a string'],
  ['results not an array', { results: {} }, undefined, 'decision.results must be an array'],
  ['a result that is null', { results: [null] }, undefined, 'decision.results[0] must be an object'],
  ['remaining as a string', withResult(2, { type: 'RATE_LIMIT', max: 60, remaining: '3' }), undefined, 'decision.results[2].reason.remaining must be a number'],
  ['max is NaN', withResult(2, { type: 'RATE_LIMIT', max: NaN }), undefined, 'decision.results[2].reason.max must be a number'],
  ['bot denied not an array', withResult(0, { type: 'BOT', denied: 'CURL' }), undefined, 'decision.results[0].reason.denied must be an array'],
  ['bot verified not a boolean', withResult(0, { type: 'BOT', verified: 'yes' }), undefined, 'decision.results[0].reason.verified must be a boolean'],
  ['unknown rule state', withResult(1, undefined, { state: 'SLEEPING' }), undefined, 'decision.results[1].state must be one of RUN, NOT_RUN, CACHED, DRY_RUN'],
  ['emailTypes not an array', withResult(1, { type: 'EMAIL', emailTypes: 'FREE' }), undefined, 'decision.results[1].reason.emailTypes must be an array'],
  ['emailTypes entry not a string', withResult(1, { type: 'EMAIL', emailTypes: [1] }), undefined, 'decision.results[1].reason.emailTypes[0] must be a string'],
  ['ip not an object', { ip: '1.2.3.4' }, undefined, 'decision.ip must be an object'],
  ['ip flag method returns a string', { ip: { isHosting: () => 'yes' } }, undefined, 'decision.ip.isHosting() must be a boolean'],
  ['input is a string', null, 'GET /', 'input must be an object'],
  ['request is a string', null, { request: 'GET /' }, 'request must be an object'],
  ['request.ip is a number', null, withRequest({ ip: 127001 }), 'request.ip must be a string'],
  ['request.method is a number', null, withRequest({ method: 1 }), 'request.method must be a string'],
  ['headers is a string', null, withRequest({ headers: 'user-agent: x' }), 'request.headers must be an object, a Headers, a Map, or an array of [name, value] pairs or of names and values'],
  ['headers is an odd flat array', null, withRequest({ headers: ['user-agent', 'x', 'accept'] }), 'request.headers must be an object, a Headers, a Map, or an array of [name, value] pairs or of names and values'],
  ['a header pair of three', null, withRequest({ headers: [['user-agent', 'x', 'y']] }), 'request.headers[0] must be a [name, value] pair'],
  ['headers with get but no forEach', null, withRequest({ headers: { get: () => 'x' } }), 'request.headers must be an object, a Headers, a Map, or an array of [name, value] pairs or of names and values (it has only one of forEach and get)'],
  ['user-agent is a number', null, withRequest({ headers: { 'user-agent': 5 } }), 'request.headers["user-agent"] must be a string'],
  ['body is a number', null, withRequest({ body: 5 }), 'request.body must be a string, an object, an array or a Buffer'],
  ['email is an object', null, withRequest({ email: { address: 'a@b.c' } }), 'request.email must be a string'],
  ['context is a string', null, { context: 'checkout' }, 'context must be an object'],
  ['unknown route', null, withContext({ route: 'shop' }), 'context.route must be one of other, signup, login, checkout, api'],
  ['negative session age', null, withContext({ sessionAgeS: -1 }), 'context.sessionAgeS must be a finite number ≥ 0'],
  ['infinite cart value', null, withContext({ cartValue: Infinity }), 'context.cartValue must be a finite number ≥ 0'],
  ['cart value as a string', null, withContext({ cartValue: '84.50' }), 'context.cartValue must be a finite number ≥ 0'],
  ['loggedIn as a number', null, withContext({ loggedIn: 1 }), 'context.loggedIn must be a boolean'],
  ['emailVerified as a string', null, withContext({ emailVerified: 'true' }), 'context.emailVerified must be a boolean'],
]

test(`${BAD_INPUTS.length} bad inputs each throw a TypeError naming the field`, async (t) => {
  const r = new Refiner()
  for (const [name, decision, input, message] of BAD_INPUTS) {
    await t.test(name, async () => {
      assert.throws(() => r.refine(decision, input), { name: 'TypeError', message })
      await assert.rejects(r.refineAsync(decision, input), { name: 'TypeError', message })
    })
  }
  // The refiner is still fine afterwards.
  assert.equal(r.refine(allowDecision(), browserInput()).conclusion, 'ALLOW')
})

test('getters that throw propagate the caller’s own error, not a crash', () => {
  const d = allowDecision()
  Object.defineProperty(d, 'conclusion', { get() { throw new Error('boom from a getter') } })
  assert.throws(() => new Refiner().refine(d), /boom from a getter/)
})

test('huge and odd strings are accepted and cut, never crash', () => {
  const r = new Refiner()
  const input = withRequest({ headers: { 'user-agent': 'A'.repeat(10 * 1024 * 1024) }, body: '\0\ud800'.repeat(1000), path: `/${'%'.repeat(50000)}` })
  assert.ok(['ALLOW', 'CHALLENGE', 'DENY'].includes(r.refine(allowDecision(), input).conclusion))
})

const BAD_OPTIONS = [
  [{ profile: 'shop' }, RangeError, "options.profile must be one of 'default', 'signup', 'login', 'checkout', 'api', but is 'shop'"],
  [{ profile: 3 }, TypeError, 'options.profile must be a string'],
  [{ mode: 'live' }, RangeError, "options.mode must be one of 'LIVE', 'DRY_RUN', but is 'live'"],
  [{ failMode: 'maybe' }, RangeError, "options.failMode must be one of 'open', 'closed', but is 'maybe'"],
  [{ thresholds: { deny: 2 } }, RangeError, 'options.thresholds.deny must be between 0 and 1, but is 2'],
  [{ thresholds: { challenge: '0.5' } }, TypeError, 'options.thresholds.challenge must be a number'],
  [{ thresholds: { challenge: 0.9, deny: 0.5 } }, RangeError, 'options.thresholds must be challenge ≤ deny, but is challenge 0.9 > deny 0.5'],
  [{ model: 42 }, TypeError, 'options.model must be a path string or a Buffer'],
  [null, TypeError, 'options must be an object'],
]

test('invalid options throw a TypeError or RangeError naming the option', () => {
  for (const [options, type, message] of BAD_OPTIONS) assert.throws(() => new Refiner(options), { name: type.name, message })
})
