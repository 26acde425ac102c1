// Each lever issue 16 found, as its own test: on the earlier build one number or one shape turned
// an obvious attack or a correct denial into ALLOW. None may now.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import zlib from 'node:zlib'
import { Refiner } from '../index.mjs'
import { CHROME } from './adversarial.mjs'

const CHROME_HEADERS = { 'user-agent': CHROME, accept: 'text/html,application/xhtml+xml', 'accept-language': 'en-US,en;q=0.9', 'accept-encoding': 'gzip, deflate, br', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', 'sec-ch-ua': '"Chromium";v="131", "Google Chrome";v="131"', 'sec-ch-ua-mobile': '?0', 'sec-ch-ua-platform': '"Windows"', host: 'shop.example' }
const sqlmap = {
  decision: { conclusion: 'DENY', reason: { type: 'SHIELD' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'SHIELD', shieldTriggered: true } }] },
  request: { ip: '203.0.113.50', method: 'GET', path: "/products?id=1%27%20AND%201%3D1%20UNION%20ALL%20SELECT%20NULL%2CCONCAT(0x7176%2C0x71)%2CNULL--%20-", headers: { 'user-agent': 'sqlmap/1.8.4#stable (https://sqlmap.org)', accept: '*/*', host: 'shop.example' } },
}
const pythonBot = {
  decision: { conclusion: 'DENY', reason: { type: 'BOT' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'BOT', denied: ['PYTHON_REQUESTS'], allowed: [] } }] },
  request: { ip: '203.0.113.51', method: 'POST', path: '/signup', email: 'x7k2q9zr4v@mailinator.com', headers: { 'user-agent': 'python-requests/2.32.3', 'accept-encoding': 'gzip, deflate', accept: '*/*', connection: 'keep-alive', host: 'shop.example' } },
}
const blocked = (d) => d.conclusion !== 'ALLOW'

test('context numbers no longer lift an injection: pagesSeen, sessionRequests 1e9, cartValue 1e5', () => {
  for (const context of [{}, { pagesSeen: 1e9 }, { sessionRequests: 1e9 }, { cartValue: 1e5 }, { cartValue: 10000 }, { sessionRequests: 1e9, pagesSeen: 1e9, accountAgeDays: 1e9, loggedIn: true, emailVerified: true }]) {
    const d = new Refiner().refine(sqlmap.decision, { request: sqlmap.request, context: { route: 'other', ...context } })
    assert.equal(d.conclusion, 'DENY', `${JSON.stringify(context)}: ${d.basis}`)
    assert.ok(d.threats.attack > 0.5, `the payload is what the attack head reads: ${d.threats.attack}`)
  }
})

test('a numbers lever no longer lifts a scripted sign-up the bot rule denied', () => {
  for (const context of [{}, { sessionRequests: 1e9 }, { sessionRequests: 1e9, pagesSeen: 500, accountAgeDays: 900, loggedIn: true, emailVerified: true }]) {
    const d = new Refiner({ profile: 'signup' }).refine(pythonBot.decision, { request: pythonBot.request, context: { route: 'signup', ...context } })
    assert.equal(d.conclusion, 'DENY', JSON.stringify(context))
    assert.equal(d.basis, 'KEPT_DECLARED_BOT')
  }
})

test('an implausible number is clamped and is itself a signal, never evidence of a real user', () => {
  const rate = { conclusion: 'DENY', reason: { type: 'RATE_LIMIT' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'RATE_LIMIT', max: 60, remaining: 0 } }] }
  const input = (extra) => ({ request: { ip: '203.0.113.52', method: 'GET', path: '/', headers: CHROME_HEADERS }, context: { route: 'other', loggedIn: true, accountAgeDays: 400, ...extra } })
  assert.equal(new Refiner().refine(rate, input({})).basis, 'LIFTED', 'a regular customer behind a busy ip is let through')
  const tampered = new Refiner().refine(rate, input({ sessionRequests: 1e9 }))
  assert.equal(tampered.conclusion, 'DENY')
  assert.equal(tampered.basis, 'KEPT_NO_EVIDENCE')
})

test('a DENY the refiner cannot read stays DENY: bare, custom, filter, unknown rule', () => {
  const human = { request: { ip: '203.0.113.53', method: 'GET', path: '/', headers: CHROME_HEADERS }, context: { route: 'other', loggedIn: true, accountAgeDays: 900, emailVerified: true, sessionAgeS: 3000, pagesSeen: 20 } }
  for (const decision of [{ conclusion: 'DENY' }, { conclusion: 'DENY', reason: { type: 'FILTER' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'FILTER' } }] }, { conclusion: 'DENY', results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'BRAND_NEW_RULE' } }] }]) {
    for (const input of [undefined, human]) {
      const d = new Refiner().refine(decision, input)
      assert.equal(d.conclusion, 'DENY', JSON.stringify(decision))
      assert.equal(d.basis, 'KEPT_UNREADABLE')
    }
  }
  const optedIn = new Refiner({ liftUnreadable: true }).refine({ conclusion: 'DENY' }, human)
  assert.equal(optedIn.basis, 'LIFTED', 'the caller may opt in')
})

test('a shield DENY with human-looking context and no request is not lifted', () => {
  const shield = { conclusion: 'DENY', reason: { type: 'SHIELD' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'SHIELD', shieldTriggered: true } }] }
  const d = new Refiner().refine(shield, { context: { route: 'other', sessionAgeS: 600, pagesSeen: 8, sessionRequests: 20 } })
  assert.equal(d.conclusion, 'DENY')
})

test('payloads are found where they hide: nested JSON, arrays, after 8 KB or 40 KB of padding, in a JSON string', () => {
  const xss = '<svg/onload=alert(document.domain)>'
  const bodies = [
    { user: { profile: { bio: xss } } },
    { items: [{ notes: ['ok', xss] }] },
    { pad: 'a'.repeat(8192), comment: xss },
    { pad: 'a'.repeat(40000), deep: { deeper: [xss] } },
    JSON.stringify({ a: { b: [xss] } }),
    `name=Ann&comment=${encodeURIComponent(xss)}`,
  ]
  for (const body of bodies) {
    const d = new Refiner().refine(null, { request: { ip: '203.0.113.54', method: 'POST', path: '/comment', headers: CHROME_HEADERS, body } })
    assert.ok(blocked(d), `${JSON.stringify(body).slice(0, 80)}: ${d.conclusion} attack ${d.threats.attack}`)
    assert.ok(d.reasons.some((r) => r.feature.startsWith('payload.xss')), JSON.stringify(d.reasons))
  }
})

// What the red team of the payload analysis found: each a payload an app's parser delivers whole,
// which the refiner did not read (past a read limit, behind decoys, in another encoding).
test('payloads past read limits, behind decoys and in other encodings are found', () => {
  const sqli = "1' AND 6189=9968  AND 'oEox'='qbUf"
  const json = `{"q":${JSON.stringify(sqli)}}`
  const cases = {
    'a query after 8 KB of another parameter': { path: `/search?pad=${'A'.repeat(8200)}&q=${encodeURIComponent(sqli)}` },
    'a cookie after an 8 KB cookie': { headers: { ...CHROME_HEADERS, cookie: `pad=${'A'.repeat(8200)}; q=${encodeURIComponent(sqli)}` } },
    'a JSON value between 24,000 small ones': { method: 'POST', body: [...Array(12000).fill(0), { q: sqli }, ...Array(12000).fill(0)] },
    'eight decoys that spend the SQL budget': { path: `/s?${Array.from({ length: 8 }, (_, i) => `d${i}=x'=${'b'.repeat(300)}`).join('&')}&q=${encodeURIComponent(sqli)}` },
    'a quoted cookie value': { headers: { ...CHROME_HEADERS, cookie: `sid=1; q="${encodeURIComponent(sqli)}"` } },
    'UTF-16LE JSON with its charset': { method: 'POST', headers: { ...CHROME_HEADERS, 'content-type': 'application/json; charset=utf-16le' }, body: Buffer.from(json, 'utf16le') },
    'UTF-16LE JSON with no hint': { method: 'POST', headers: { ...CHROME_HEADERS, 'content-type': 'application/json' }, body: Buffer.from(json, 'utf16le') },
    'JSON behind a UTF-8 byte-order mark': { method: 'POST', headers: { ...CHROME_HEADERS, 'content-type': 'application/json' }, body: `\ufeff${json}` },
    'an Accept-Language header': { headers: { ...CHROME_HEADERS, 'accept-language': sqli } },
    'a JSON value that is a percent-encoded query string': { method: 'POST', body: { id: '1%20or%201=1&a=1&b=2' } },
    "a numeric parameter's bare UNION": { path: '/products?id=1+union+select+password+from+users' },
  }
  for (const [name, req] of Object.entries(cases)) {
    const d = new Refiner({ memory: false }).refine(null, { request: { ip: '203.0.113.55', method: 'GET', path: '/search', headers: CHROME_HEADERS, ...req } })
    assert.ok(blocked(d) && d.reasons.some((r) => r.evidence && r.feature.startsWith('payload.')), `${name}: ${d.conclusion} ${d.reasons.map((r) => r.feature)}`)
  }
})

test('a shield denial is not lifted on text the analysis did not read or half confirms, nor by an account opened today', () => {
  const shield = { conclusion: 'DENY', reason: { type: 'SHIELD' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'SHIELD', shieldTriggered: true } }] }
  const aged = { route: 'other', loggedIn: true, accountAgeDays: 400, emailVerified: true, sessionAgeS: 900, pagesSeen: 6 }
  const oversized = { pad: 'a'.repeat(140 * 1024), note: 'hello' }
  const r = new Refiner({ memory: false })
  const d = r.refine(shield, { request: { ip: '203.0.113.56', method: 'POST', path: '/support', headers: CHROME_HEADERS, body: oversized }, context: aged })
  assert.equal(d.conclusion, 'DENY', `${d.basis}`)
  const benign = { message: 'Could you resend my invoice? Thanks' }
  assert.equal(r.refine(shield, { request: { ip: '203.0.113.56', method: 'POST', path: '/support', headers: CHROME_HEADERS, body: benign }, context: aged }).conclusion, 'ALLOW', 'the counterfactual: read, clean, an aged account')
  const bomb = zlib.gzipSync(Buffer.alloc(4 << 20, 'a'))
  const packed = r.refine(shield, { request: { ip: '203.0.113.56', method: 'POST', path: '/support', headers: { ...CHROME_HEADERS, 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb }, context: aged })
  assert.equal(packed.conclusion, 'DENY', `a body that inflates past the budget is not read: ${packed.basis}`)
  const fresh = { ...aged, accountAgeDays: 0 }
  assert.equal(r.refine(shield, { request: { ip: '203.0.113.56', method: 'POST', path: '/support', headers: CHROME_HEADERS, body: benign }, context: fresh }).conclusion, 'DENY', 'a session and a login a script can open vouch for no text')
  const nearMiss = { message: 'sleep(5)#1' }
  assert.equal(r.refine(shield, { request: { ip: '203.0.113.56', method: 'POST', path: '/support', headers: CHROME_HEADERS, body: nearMiss }, context: aged }).conclusion, 'DENY', 'a near miss keeps it')
})

test('the same request refines identically in every header shape', () => {
  const pairs = Object.entries({ ...CHROME_HEADERS, 'user-agent': 'python-requests/2.32.3' })
  const shapes = { object: Object.fromEntries(pairs), rawHeaders: pairs.flat(), pairs, headers: new Headers(pairs), map: new Map(pairs) }
  const results = Object.entries(shapes).map(([shape, headers]) => [shape, new Refiner({ memory: false }).refine(null, { request: { ip: '203.0.113.55', path: '/', headers } })])
  const first = results[0][1].toJSON()
  for (const [shape, d] of results) assert.deepEqual(d.toJSON(), first, shape)
  const blind = new Refiner({ memory: false }).refine(null, { request: { ip: '203.0.113.55', path: '/' } })
  assert.notEqual(first.threats.bot, blind.threats.bot, 'the headers were read in every shape')
  assert.throws(() => new Refiner().refine(null, { request: { headers: { get: () => 'x' } } }), { name: 'TypeError', message: /request\.headers must be an object, a Headers, a Map/ })
})

// A bot the rules denied sends its user agent and a real browser's, in whatever shape the app
// hands the headers over: no browser sends two, so the denial stays, as for one bare bot UA.
test('a bot-rule DENY with a second, browser user agent stays DENY in every header shape', () => {
  const bot = 'Mozilla/5.0 (compatible)'
  const decision = { conclusion: 'DENY', reason: { type: 'BOT' }, results: [{ state: 'RUN', conclusion: 'DENY', reason: { type: 'BOT', denied: ['UNKNOWN'], allowed: [] } }] }
  const context = { route: 'other', loggedIn: true, accountAgeDays: 400, emailVerified: true, sessionAgeS: 900, pagesSeen: 6 }
  const others = Object.entries(CHROME_HEADERS).filter(([n]) => n !== 'user-agent')
  const refine = (headers) => new Refiner({ memory: false }).refine(decision, { request: { ip: '203.0.113.57', method: 'GET', path: '/', headers }, context })
  assert.equal(refine(CHROME_HEADERS).basis, 'LIFTED', 'the counterfactual: one browser user agent, a real user')
  const appended = (...uas) => {
    const h = new Headers(others)
    for (const ua of uas) h.append('user-agent', ua)
    return h
  }
  const junk = Array.from({ length: 127 - others.length }, (_, i) => [`x-pad-${i}`, '1'])
  const shapes = {
    'object, array': Object.fromEntries([...others, ['user-agent', [bot, CHROME]]]),
    'object, array, browser first': Object.fromEntries([...others, ['user-agent', [CHROME, bot]]]),
    'object, the same browser twice': Object.fromEntries([...others, ['user-agent', [CHROME, CHROME]]]),
    'object, two cases of the name': Object.fromEntries([...others, ['User-Agent', CHROME], ['user-agent', bot]]),
    rawHeaders: [...others.flat(), 'user-agent', bot, 'User-Agent', CHROME],
    'rawHeaders, array': [...others.flat(), 'user-agent', [bot, CHROME]],
    pairs: [...others, ['user-agent', bot], ['user-agent', CHROME]],
    'pairs, array': [...others, ['user-agent', [CHROME, bot]]],
    'Headers, appended twice': appended(bot, CHROME),
    'Headers, browser first': appended(CHROME, bot),
    'Headers, array': new Headers([...others, ['user-agent', [bot, CHROME]]]),
    'Map, array': new Map([...others, ['user-agent', [bot, CHROME]]]),
    'Map, two cases of the name': new Map([...others, ['user-agent', bot], ['User-Agent', CHROME]]),
    'one value, comma-joined': Object.fromEntries([...others, ['user-agent', `${bot}, ${CHROME}`]]),
    'one value, joined inside an open comment': Object.fromEntries([...others, ['user-agent', `Mozilla/5.0 (compatible, ${CHROME}`]]),
    'an array cut by the header cap': Object.fromEntries([...others, ...junk, ['user-agent', [CHROME, bot]]]),
  }
  const lifted = Object.entries(shapes).filter(([, headers]) => refine(headers).conclusion !== 'DENY')
  assert.deepEqual(lifted.map(([shape]) => shape), [])
})

// The shield-lift red team's payloads, as a parsed body hands them over: an operator object on a
// secret, a prototype key, a metadata URL with no scheme. A filter API's operators are not.
test('operator objects, prototype keys and scheme-less metadata URLs in parsed bodies are found', () => {
  const refine = (body, path = '/api/login') => new Refiner({ memory: false, profile: 'api' }).refine(null, { request: { ip: '203.0.113.58', method: 'POST', path, headers: { ...CHROME_HEADERS, 'content-type': 'application/json' }, body } })
  for (const [name, body] of Object.entries({
    'password: {$ne: null}': { username: 'admin', password: { $ne: null } },
    '$where': { filter: { $where: 'this.isAdmin == true' } },
    '__proto__': JSON.parse('{"__proto__":{"isAdmin":true}}'),
    'constructor.prototype': { constructor: { prototype: { isAdmin: true } } },
    'metadata URL': { url: '169.254.169.254/latest/meta-data/' },
    'raw JSON, the operator second': '{"password" :                    {"$options":"s","$regex":".*"}}',
    'raw JSON __proto__': '{"__proto__":{"isAdmin":true}}',
    'a nested $where': { filter: { user: { $where: '1==1' } } },
    'eight decoy operators first': 'f0[$eq]=1&f1[$eq]=1&f2[$eq]=1&f3[$eq]=1&f4[$eq]=1&f5[$eq]=1&f6[$eq]=1&f7[$eq]=1&password[$ne]=1',
  })) {
    const d = refine(body)
    assert.ok(blocked(d) && d.reasons.some((r) => r.evidence && r.feature.startsWith('payload.')), `${name}: ${d.conclusion} ${d.reasons.map((r) => r.feature)}`)
  }
  for (const path of ['/api/x?__proto__.isAdmin=true', '/api/x?a[__proto__][isAdmin]=1', '/api/x?user.class.module.classLoader.resources.context.parent.pipeline.first.pattern=x']) {
    const d = refine(undefined, path)
    assert.ok(blocked(d), `${path}: ${d.conclusion}`)
  }
  for (const body of [{ filters: { price: { $gt: 10 }, user: { id: { $eq: 1 } } } }, { filter: { token: { $in: ['ETH', 'USDC'] } } }, { constructor: 'Acme Builders', prototype: 'v2' }]) {
    assert.equal(refine(body, '/api/products').conclusion, 'ALLOW', JSON.stringify(body))
  }
})

// The false-positive red team's ordinary requests: filter APIs' operators on ordinary fields,
// script shorthand, SQL questions, FXML, link-local devices, a CRM's "constructor" field.
test('ordinary requests near the new detectors stay allowed, and a password ending in a comment is not denied', () => {
  const refine = (request, profile = 'default') => new Refiner({ memory: false, profile }).refine(null, { request: { ip: '203.0.113.59', method: 'POST', path: '/api/x', headers: { ...CHROME_HEADERS, 'content-type': 'application/json' }, ...request } })
  const ordinary = {
    'Strapi filter on pinned': { method: 'GET', path: '/api/articles?filters[pinned][$eq]=true&filters[pincode][$eq]=560001' },
    'Feathers $ne on pinned': { method: 'GET', path: '/messages?pinned[$ne]=false&$limit=25' },
    'shipping $in': { body: { filter: { shipping: { $in: ['ups'] } } } },
    '.NET $type': { body: { shipping: { $type: 'express' } } },
    'object shorthand': { body: { message: 'return u && {id, name: u.name}' } },
    'a SQL question': { body: { message: 'I ran SELECT SLEEP(10) to test the timeout and it hangs' } },
    'FXML': { body: { file: '<?import javafx.scene.control.Button?>' } },
    'a note': { body: { note: 'sleep(8 hours) then gym' } },
    'a camera on link-local': { body: { url: '169.254.10.20/onvif/device_service' } },
    'ECS task metadata': { body: { metadataEndpoint: '169.254.170.2/v2/metadata' } },
    'a CRM constructor': { body: { constructor: { name: 'ACME Builders', prototype: 'Model B' } } },
  }
  for (const [name, request] of Object.entries(ordinary)) {
    for (const profile of ['default', 'api']) assert.equal(refine(request, profile).conclusion, 'ALLOW', `${name} (${profile})`)
  }
  const password = refine({ path: '/login', body: { username: 'ann', password: "Summer2024'#" } }, 'login')
  assert.notEqual(password.conclusion, 'DENY', 'at most a challenge')
  const bypass = refine({ path: '/login', body: { username: "admin'-- -", password: 'x' } }, 'login')
  assert.equal(bypass.conclusion, 'CHALLENGE', `the same form as a user name: ${bypass.conclusion}`)
})

// A raw body in each Content-Encoding, compressed or already inflated by the app (express.raw()
// keeps the header): the payload is read either way.
test('raw bodies are read as the app reads them, compressed or inflated', () => {
  const body = JSON.stringify({ q: "1' UNION SELECT password FROM users-- -" })
  const cases = {
    gzip: zlib.gzipSync(body),
    deflate: zlib.deflateSync(body),
    br: zlib.brotliCompressSync(body),
    'gzip, br': zlib.brotliCompressSync(zlib.gzipSync(body)),
  }
  for (const [coding, bytes] of Object.entries(cases)) {
    for (const [form, b] of [['compressed', bytes], ['inflated by the app', Buffer.from(body)]]) {
      const d = new Refiner({ memory: false }).refine(null, { request: { ip: '203.0.113.60', method: 'POST', path: '/api/search', headers: { ...CHROME_HEADERS, 'content-type': 'application/json', 'content-encoding': coding }, body: b } })
      assert.ok(blocked(d) && d.reasons.some((r) => r.feature === 'payload.sqli'), `${coding}, ${form}: ${d.conclusion} ${d.reasons.map((r) => r.feature)}`)
    }
  }
  // An empty stream with the payload after it decodes to nothing: the bytes are read as text.
  const tails = { br: Buffer.from(`?${body}`), deflate: Buffer.concat([zlib.deflateSync(''), Buffer.from(body)]) }
  for (const [coding, bytes] of Object.entries(tails)) {
    const d = new Refiner({ memory: false }).refine(null, { request: { ip: '203.0.113.60', method: 'POST', path: '/api/search', headers: { ...CHROME_HEADERS, 'content-type': 'text/plain', 'content-encoding': coding }, body: bytes } })
    assert.ok(blocked(d), `an empty ${coding} stream before the payload: ${d.conclusion}`)
  }
  // Codings past two are not tried (body-parser takes one): no work multiplied by the header.
  const many = new Refiner({ memory: false }).refine(null, { request: { ip: '203.0.113.60', method: 'POST', path: '/api/search', headers: { ...CHROME_HEADERS, 'content-encoding': Array(4000).fill('br').join(',') }, body: Buffer.from(body) } })
  assert.ok(blocked(many))
})
