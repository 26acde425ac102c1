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
// What Chrome sends for a navigation; a Chrome user agent without its sec-* headers is a script.
const BROWSER = {
  'user-agent': CHROME,
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  cookie: 'sid=1',
}
const r = new Refiner({ profile: 'signup' })
const d = r.refine(bot, { request: { ip: '203.0.113.9', method: 'POST', path: '/signup', headers: { 'user-agent': 'curl/8.5.0' } }, context: { route: 'signup', formFillMs: 300 } })
if (d.isAllowed()) fail(`a curl sign-up the rules denied was allowed: ${JSON.stringify(d)}`)
if (!d.reasons.length || typeof d.reasons[0].text !== 'string') fail('no reasons')
if (d.rules[0].type !== 'BOT') fail('rules not read')
const human = await r.refineAsync(null, { request: { ip: '203.0.113.10', method: 'GET', path: '/', headers: BROWSER }, context: { route: 'other', sessionAgeS: 600, pagesSeen: 5 } })
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
