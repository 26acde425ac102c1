// The API smoke test run under other runtimes (Bun, Deno): load the addon, refine sync, async and
// in batch, read reasons and rules, and fail with a non-zero exit on any surprise.
import { Refiner, features, refine } from '../../index.mjs'

const fail = (message) => {
  console.error(`smoke: ${message}`)
  process.exit(1)
}
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const bot = {
  conclusion: 'DENY',
  reason: { type: 'BOT' },
  results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'BOT', denied: ['CURL'], allowed: [], verified: false, spoofed: false } }],
  ip: { isHosting: true },
}
const r = new Refiner({ profile: 'signup' })
const d = r.refine(bot, { request: { ip: '203.0.113.9', method: 'POST', path: '/signup', headers: { 'user-agent': 'curl/8.5.0' } }, context: { route: 'signup', formFillMs: 300 } })
if (d.isAllowed()) fail(`a curl sign-up the rules denied was allowed: ${JSON.stringify(d)}`)
if (!d.reasons.length || typeof d.reasons[0].text !== 'string') fail('no reasons')
if (d.rules[0].type !== 'BOT') fail('rules not read')
const human = await r.refineAsync(null, { request: { ip: '203.0.113.10', method: 'GET', path: '/', headers: { 'user-agent': CHROME, accept: 'text/html', 'accept-language': 'en', cookie: 'sid=1' } }, context: { route: 'other', sessionAgeS: 600, pagesSeen: 5 } })
if (human.isDenied()) fail('a browser visit was denied')
const batch = r.refineBatch([{ decision: bot }, { request: { headers: { 'user-agent': CHROME } } }])
if (batch.length !== 2) fail('batch size')
const viaModule = await refine(bot)
if (!['ALLOW', 'CHALLENGE', 'DENY'].includes(viaModule.conclusion)) fail('module-level refine')
let threw = false
try {
  new Refiner({ profile: 'shop' })
} catch (e) {
  threw = e instanceof RangeError && /profile/.test(e.message)
}
if (!threw) fail('a bad option did not throw a RangeError naming it')
console.log(JSON.stringify({ runtime: typeof Bun !== 'undefined' ? `bun ${Bun.version}` : typeof Deno !== 'undefined' ? `deno ${Deno.version.deno}` : `node ${process.version}`, signup: d.conclusion, browser: human.conclusion, features: features().length, model: r.modelVersion }))
