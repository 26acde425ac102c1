// Seeded simulator of labeled request traffic over time: request, app context, the rule decision
// as Arcjet makes it (its real local rules; its cloud rules after its documented behavior), the
// scenario and its labels (bot / attack / abuse; none = legitimate), plus the outcome events an app
// reports (`{ event: 'login_failed', at, request, context }`), in time order.
//
// Traffic comes from actors that keep their identity across requests: a shopper's session, an
// office behind one NAT ip, a credential-stuffing campaign rotating proxies and accounts, a card
// tester's session. Each scenario keeps as many actors busy as its share of traffic and its pace
// allow, so rates per ip, device and account are those of the actor, and rate limits count real
// requests in a fixed window.
//
//   npx request-refiner simulate --n 100000 --seed 7 --pool train --out corpus.jsonl
//
// Clients, domains and payloads come from public lists (./data.mjs), split into a training and an
// evaluation pool. The rules fail the way real rules fail: the bot list misses unknown bots, the
// WAF trips on O'Brien, rate limits block whole offices, sensitive-info blocks a customer who
// leaves a phone number, the email check only knows listed disposable domains.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { createArcjet } from './arcjet.mjs'
import { loadPools } from './data.mjs'

/** Scenario → [weight, labels]. Legitimate traffic dominates, as in real life. */
export const SCENARIOS = {
  legit_browse: [24, {}],
  legit_signup: [7, {}],
  legit_login: [9, {}],
  legit_checkout: [7, {}],
  legit_api_client: [3, {}],
  legit_shared_ip: [6, {}],
  legit_privacy: [4, {}],
  legit_waf_trip: [3, {}],
  legit_support: [3, {}],
  legit_new_device: [3, {}],
  good_bot: [3, {}],
  scraper_headless: [5, { bot: true }],
  scraper_tool: [4, { bot: true }],
  credential_stuffing: [5, { bot: true, abuse: true }],
  card_testing: [4, { bot: true, abuse: true }],
  fake_signup: [5, { bot: true, abuse: true }],
  injection_probe: [4, { attack: true }],
}

function rngFrom(seed) {
  const g = xoroshiro128plus(seed >>> 0)
  const u = () => uniformFloat64(g)
  const r = {
    u,
    int: (lo, hi) => lo + Math.floor(u() * (hi - lo + 1)),
    chance: (p) => u() < p,
    pick: (xs) => xs[Math.floor(u() * xs.length)],
    /** Log-normal with the given median and spread (σ of ln). */
    logn: (median, sigma) => median * Math.exp(sigma * gauss(u)),
    weighted(items, weightOf) {
      let total = 0
      for (const x of items) total += weightOf(x)
      let t = u() * total
      for (const x of items) if ((t -= weightOf(x)) <= 0) return x
      return items[items.length - 1]
    },
  }
  return r
}

function gauss(u) {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())
}

const TOOL_UAS = ['curl/8.5.0', 'python-requests/2.31.0', 'Go-http-client/1.1', 'axios/1.6.7', 'Wget/1.21.4', 'okhttp/4.12.0', 'Java/17.0.9', 'node-fetch/1.0', 'PostmanRuntime/7.36.0', 'python-httpx/0.27.0']
// Bots no list knows: names made up per request, the kind rules miss.
const unknownBotUa = (r) => r.pick([
  () => `${r.pick(['Data', 'Price', 'Market', 'Seo', 'Link', 'Shop'])}${r.pick(['Bot', 'Crawler', 'Spider', 'Scraper', 'Fetcher'])}/${r.int(1, 9)}.${r.int(0, 9)}`,
  () => `Dart/${r.int(2, 3)}.${r.int(0, 9)} (dart:io)`,
  () => '',
  () => `Mozilla/5.0 (compatible; ${r.pick(['acme', 'zeta', 'helio'])}-agent/${r.int(1, 5)}.0)`,
])()
const APP_UAS = ['ShopApp/4.2.1 (iPhone; iOS 17.5; Scale/3.00)', 'ShopApp/4.1.0 (Android 14; Pixel 8)', 'okhttp/4.12.0', 'Dalvik/2.1.0 (Linux; U; Android 13; SM-S911B Build/TP1A.220624.014)']

const FIRST = ['anna', 'john', 'maria', 'li', 'ahmed', 'sofia', 'lucas', 'emma', 'noah', 'olivia', 'mia', 'liam', 'sean', 'chloe', 'yuki', 'ines']
// Reserved-for-fiction (555-01xx) and documentation-style numbers in the formats people type.
const PHONES = ['+1 415 555 0100', '(212) 555-0147', '+44 20 7946 0958', '+49 30 901820', '06 12 34 56 78', '+1-202-555-0173', '415.555.0123']
// Texts vary by a few numbers only: Arcjet's verdicts are memoized per body (see ./arcjet.mjs).
const ORDERS = ['10482', '23119', '31877', '40215', '52764', '66930', '71308', '85541', '90026', '11873', '27450', '39912']
const LAST = ['smith', 'garcia', 'obrien', 'muller', 'rossi', 'nguyen', 'kowalski', 'silva', 'kim', 'dubois', 'oconnor', 'patel']

function humanEmail(r, pools) {
  const local = r.pick([
    () => `${r.pick(FIRST)}.${r.pick(LAST)}`,
    () => `${r.pick(FIRST)}${r.pick(LAST)}${r.int(1, 99)}`,
    () => `${r.pick(FIRST)[0]}${r.pick(LAST)}`,
    () => `${r.pick(FIRST)}.${r.pick(LAST)}+${r.pick(['shop', 'news', 'orders'])}`,
  ])()
  const domain = r.chance(0.62) ? r.pick(pools.free) : r.chance(0.3) ? r.pick(pools.freeTail) : `${r.pick(['acme', 'globex', 'initech', 'umbrella', 'stark', 'wayne'])}${r.pick(['', '-corp', 'labs'])}.${r.pick(['com', 'io', 'de', 'co.uk'])}`
  return `${local}@${domain}`
}

function fakeEmail(r, pools) {
  const rand = () => Array.from({ length: r.int(8, 14) }, () => r.pick('abcdefghijklmnopqrstuvwxyz0123456789'.split(''))).join('')
  const local = r.pick([rand, () => `${r.pick(FIRST)}${r.int(1000, 99999)}`, () => `user${r.int(10000, 999999)}`])()
  const domain = r.chance(0.5) ? r.pick(pools.disposable)
    : r.chance(0.4) ? `${rand().slice(0, 7)}mail.${r.pick(['com', 'net', 'xyz'])}` // a new disposable service no list has
    : r.pick(pools.free)
  return `${local}@${domain}`
}

const LANGUAGES = ['en-US,en;q=0.9', 'de-DE,de;q=0.9,en;q=0.8', 'fr-FR,fr;q=0.9', 'en-GB,en;q=0.8', 'es-ES,es;q=0.9', 'pt-BR,pt;q=0.9', 'ja-JP,ja;q=0.9', 'en-US,en;q=0.5']

const ip = (r, kind) =>
  kind === 'private' ? `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`
    : kind === 'v6' ? `2a02:${r.int(4096, 65535).toString(16)}:${r.int(0, 65535).toString(16)}::${r.int(1, 65535).toString(16)}`
    : `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`

function browserHeaders(r, ua, { returning = true, navigation = true, strip = 0, lang } = {}) {
  const chromium = /Chrome\/|Edg\/|OPR\//.test(ua) && !/CriOS|FxiOS/.test(ua)
  const h = {
    'user-agent': ua,
    accept: navigation ? 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' : 'application/json, text/plain, */*',
    'accept-language': lang ?? r.pick(LANGUAGES),
    'accept-encoding': 'gzip, deflate, br',
    'sec-fetch-mode': navigation ? 'navigate' : 'cors',
    'sec-fetch-site': returning ? 'same-origin' : 'none',
    host: 'shop.example',
  }
  if (chromium && r.chance(0.97)) {
    const v = /Chrome\/(\d+)/.exec(ua)?.[1] ?? '131'
    h['sec-ch-ua'] = `"Chromium";v="${v}", "Not_A Brand";v="24"`
  }
  if (navigation) h['upgrade-insecure-requests'] = '1'
  if (returning || r.chance(0.3)) h.referer = 'https://shop.example/'
  if (returning) h.cookie = 'sid=…'
  // Automation frameworks and privacy tools drop some headers.
  for (const k of Object.keys(h)) if (k !== 'user-agent' && k !== 'host' && r.chance(strip)) delete h[k]
  return h
}

function toolHeaders(r, ua) {
  const h = { accept: '*/*', host: 'shop.example' }
  if (ua) h['user-agent'] = ua
  if (r.chance(0.5)) h['accept-encoding'] = 'gzip, deflate'
  if (r.chance(0.1)) h['accept-language'] = 'en'
  return h
}

const ROUTE_PATHS = {
  other: ['/', '/products/shoes', '/products/123', '/search?q=red+shoes', '/blog/summer-sale', '/cart', '/about'],
  signup: ['/signup', '/account/register'],
  login: ['/login', '/account/sign-in'],
  checkout: ['/checkout', '/checkout/pay', '/api/payments'],
  api: ['/api/v1/orders', '/api/v1/products?page=2', '/api/v1/me'],
}

/** Context a real user leaves behind on `route`. */
function humanContext(r, route, { fresh = false } = {}) {
  const account = route === 'signup' ? 0 : r.logn(200, 1.5)
  const c = {
    route,
    sessionAgeS: fresh ? r.logn(40, 1) : r.logn(400, 1.2),
    sessionRequests: Math.round(fresh ? r.logn(2, 0.8) : r.logn(14, 0.9)),
    pagesSeen: Math.round(fresh ? r.logn(1.5, 0.6) : r.logn(6, 0.8)),
    failedLogins: route === 'login' && r.chance(0.12) ? r.int(1, 3) : 0,
    accountAgeDays: Math.round(account),
    emailVerified: route !== 'signup' && r.chance(0.9),
    loggedIn: route === 'checkout' || route === 'api' ? r.chance(0.8) : route === 'other' && r.chance(0.4),
  }
  // Password managers and browser autofill make honest forms fast too.
  if (route === 'signup' || route === 'login' || route === 'checkout') c.formFillMs = Math.round(r.chance(0.15) ? r.logn(1200, 0.6) : r.logn(route === 'login' ? 6000 : 25000, 0.6))
  if (route === 'checkout') Object.assign(c, { cartValue: Math.round(r.logn(60, 0.9) * 100) / 100, paymentAttempts: r.chance(0.9) ? 1 : r.int(2, 3) })
  return c
}

/** Context left by automation: short sessions, inhumanly fast forms; `mimic` makes it look human. */
function botContext(r, route, mimic) {
  if (mimic) return humanContext(r, route, { fresh: r.chance(0.6) })
  const c = {
    route,
    sessionAgeS: r.logn(3, 1),
    sessionRequests: r.int(0, 2),
    pagesSeen: r.int(0, 1),
    failedLogins: 0,
    accountAgeDays: route === 'signup' ? 0 : Math.round(r.logn(30, 2)),
    emailVerified: false,
    loggedIn: false,
  }
  if (route === 'signup' || route === 'login' || route === 'checkout') c.formFillMs = Math.round(r.logn(900, 0.8))
  return c
}

/** Drops context fields the app does not report (some apps report none). */
function thin(r, ctx) {
  if (r.chance(0.12)) return { route: ctx.route }
  if (r.chance(0.1)) return undefined
  for (const k of Object.keys(ctx)) if (k !== 'route' && r.chance(0.1)) delete ctx[k]
  return ctx
}

function makeSample(r, pools, arcjet, scenario, actor, world) {
  const hard = actor.hard
  const browserUa = () => r.weighted(pools.browsers, (b) => b.weight).userAgent
  let s
  switch (scenario) {
    case 'legit_browse':
    case 'legit_signup':
    case 'legit_login':
    case 'legit_checkout': {
      const route = { legit_browse: 'other', legit_signup: 'signup', legit_login: 'login', legit_checkout: 'checkout' }[scenario]
      const ctx = humanContext(r, route)
      s = { net: { kind: r.chance(0.15) ? 'v6' : 'public', requests: r.int(1, 8) }, route, ua: browserUa(), ctx, returning: route !== 'signup' || r.chance(0.5) }
      if (route === 'signup' || route === 'login') s.email = humanEmail(r, pools)
      break
    }
    case 'legit_api_client':
      s = { net: { kind: 'public', requests: r.int(5, 40) }, route: 'api', ua: r.pick(APP_UAS), tool: true, ctx: { ...humanContext(r, 'api'), loggedIn: true } }
      break
    case 'legit_shared_ip': {
      // Carrier-grade NAT, offices, universities: one IP, many people, rate limits fire.
      const route = r.pick(['other', 'other', 'signup', 'login', 'checkout'])
      s = { net: { kind: 'public', requests: r.int(40, 400) }, route, ua: browserUa(), ctx: humanContext(r, route), returning: r.chance(0.7) }
      if (route === 'signup' || route === 'login') s.email = humanEmail(r, pools)
      break
    }
    case 'legit_privacy': {
      const route = r.pick(['other', 'signup', 'login', 'checkout'])
      const tor = r.chance(0.15)
      s = { net: { kind: 'public', vpn: !tor, tor, relay: r.chance(0.2), requests: r.int(1, 30) }, route, ua: browserUa(), ctx: humanContext(r, route), strip: 0.25, returning: r.chance(0.6) }
      if (route === 'signup' || route === 'login') s.email = humanEmail(r, pools)
      break
    }
    case 'legit_waf_trip': {
      // O'Brien in a name field, code pasted into a support form: the WAF trips.
      const route = r.pick(['other', 'signup', 'checkout'])
      s = { net: { kind: 'public', requests: r.int(1, 8) }, route, ua: browserUa(), ctx: humanContext(r, route), returning: true, method: 'POST',
        body: r.pick([`Hi, I'm ${r.pick(['Sean', 'Mary', 'Liam'])} O'${r.pick(['Brien', 'Connor', 'Neill'])}, order #${r.pick(ORDERS)} never arrived`,
          'My script fails: SELECT * FROM orders WHERE id = 1; -- what is wrong?', 'The page shows <script> tags in the product description & "quotes"',
          "Name: D'Angelo; Address: 12 Rue de l'Église", 'Error: cat: /etc/hosts: permission denied when running your CLI',
          `Product review: ${r.pick(pools.benignText)}`]),
        shieldFp: true }
      break
    }
    case 'legit_support': {
      // A support or contact form: people leave phone numbers, order numbers, odd characters.
      s = { net: { kind: r.chance(0.2) ? 'v6' : 'public', requests: r.int(1, 10) }, route: 'other', ua: browserUa(), ctx: humanContext(r, 'other'), returning: r.chance(0.8), method: 'POST',
        body: r.pick([
          () => `Please call me back on ${r.pick(PHONES)} about order ${r.pick(ORDERS)}`,
          () => `Name: ${r.pick(FIRST)} ${r.pick(LAST)}. Message: ${r.pick(pools.benignText)}`,
          () => `Wrong size delivered, can I swap it? Thanks, ${r.pick(FIRST)}`,
          () => `My card ending ${r.pick(ORDERS).slice(-4)} was charged twice`,
        ])() }
      break
    }
    case 'legit_new_device': {
      const route = r.pick(['login', 'checkout'])
      s = { net: { kind: r.chance(0.5) ? 'v6' : 'public', requests: r.int(1, 5) }, route, ua: browserUa(), ctx: { ...humanContext(r, route, { fresh: true }), accountAgeDays: Math.round(r.logn(900, 0.8)) }, returning: false }
      if (route === 'login') s.email = humanEmail(r, pools)
      break
    }
    case 'good_bot': {
      // Search engines (verified by ip), link previews and uptime monitors: wanted automation.
      const search = r.chance(0.7)
      const c = r.pick(search ? pools.searchEngines : pools.linkPreviews)
      s = { net: { kind: 'public', hosting: true, requests: r.int(5, 60) }, route: 'other', ua: r.pick(c.instances), tool: true, verified: search, ctx: undefined }
      break
    }
    case 'scraper_headless': {
      // Real browser UAs (or HeadlessChrome), rotating residential IPs: little for rules to see.
      const ua = hard ? browserUa() : browserUa().replace(/Chrome\//, 'HeadlessChrome/')
      s = { net: { kind: 'public', hosting: !hard && r.chance(0.5), proxy: !hard && r.chance(0.3), requests: r.int(1, hard ? 6 : 40) }, route: r.chance(0.8) ? 'other' : 'api', ua, ctx: botContext(r, 'other', hard), strip: hard ? 0.15 : 0.45, returning: hard && r.chance(0.4) }
      break
    }
    case 'scraper_tool': {
      const known = r.chance(0.5)
      const listed = known && r.chance(0.5)
      const ua = listed ? r.pick(r.pick(pools.crawlers).instances) : known ? r.pick(TOOL_UAS) : unknownBotUa(r)
      s = { crawler: listed, net: { kind: 'public', hosting: r.chance(0.7), requests: r.int(5, 120) }, route: r.pick(['other', 'other', 'api']), ua, tool: true, ctx: r.chance(0.5) ? botContext(r, 'other', false) : undefined }
      break
    }
    case 'credential_stuffing': {
      // Slow and distributed: one or two tries per IP, so rate limits rarely fire.
      s = { net: { kind: 'public', hosting: !hard && r.chance(0.5), proxy: r.chance(0.3), requests: r.int(1, hard ? 3 : 20) }, route: 'login', ua: hard ? browserUa() : r.chance(0.5) ? browserUa() : r.pick(TOOL_UAS), method: 'POST',
        ctx: { ...botContext(r, 'login', hard), failedLogins: r.int(hard ? 1 : 2, hard ? 4 : 12) }, email: humanEmail(r, pools), strip: hard ? 0.1 : 0.4 }
      s.tool = !/Mozilla/.test(s.ua)
      break
    }
    case 'card_testing': {
      s = { net: { kind: 'public', hosting: !hard && r.chance(0.4), proxy: r.chance(0.3), requests: r.int(1, hard ? 5 : 60) }, route: 'checkout', ua: browserUa(), method: 'POST',
        ctx: { ...botContext(r, 'checkout', hard), cartValue: Math.round(r.logn(2, 0.7) * 100) / 100, paymentAttempts: r.int(hard ? 2 : 3, hard ? 5 : 25), accountAgeDays: r.int(0, 2) }, strip: hard ? 0.1 : 0.35 }
      break
    }
    case 'fake_signup': {
      s = { net: { kind: 'public', hosting: !hard && r.chance(0.5), requests: r.int(1, hard ? 4 : 50) }, route: 'signup', ua: hard ? browserUa() : r.chance(0.7) ? browserUa() : r.pick(TOOL_UAS), method: 'POST',
        ctx: botContext(r, 'signup', hard), email: hard && r.chance(0.5) ? humanEmail(r, pools) : fakeEmail(r, pools), strip: hard ? 0.1 : 0.4 }
      if (hard) s.ctx.formFillMs = Math.round(r.logn(2500, 0.7))
      s.tool = !/Mozilla/.test(s.ua)
      break
    }
    case 'injection_probe': {
      const kind = r.pick(Object.keys(pools.payloads))
      const payload = r.pick(pools.payloads[kind])
      const inBody = r.chance(0.4)
      const toolUa = r.chance(hard ? 0.2 : 0.6)
      s = { net: { kind: 'public', hosting: r.chance(0.5), tor: r.chance(0.1), requests: r.int(1, 80) }, route: r.pick(['other', 'login', 'signup', 'api']), ua: toolUa ? r.pick([...TOOL_UAS, 'sqlmap/1.8', 'Nikto/2.5.0', '']) : browserUa(), tool: toolUa,
        method: inBody ? 'POST' : 'GET', body: inBody ? `q=${payload}` : undefined, payload: inBody ? undefined : (kind === 'traversal' ? `/static/${payload}` : `/search?q=${encodeURIComponent(payload)}`), ctx: botContext(r, 'other', hard), payloadKind: kind }
      break
    }
    default:
      throw new Error(`unknown scenario ${scenario}`)
  }
  actor.apply(s, r)
  s.net.requests = world.countIp(s.ip)
  return render(r, s, scenario, pools, arcjet)
}

/** Turns a scenario sketch into request + context + Arcjet-shaped decision. */
async function render(r, s, scenario, pools, arcjet) {
  const ua = s.ua ?? ''
  // Browsers also fetch data without navigating, and proxies or privacy tools drop headers of
  // real users too: no single header may separate people from programs.
  const navigation = (!s.method || s.method === 'GET') && r.chance(0.7)
  const headers = s.tool ? toolHeaders(r, ua) : browserHeaders(r, ua, { returning: s.returning, navigation, strip: s.strip ?? 0.04, lang: s.lang })
  const path = s.payload ?? r.pick(ROUTE_PATHS[s.route])
  const request = { ip: s.ip, method: s.method ?? (s.route === 'other' || s.route === 'api' ? 'GET' : 'POST'), path, headers }
  if (s.email) request.email = s.email
  if (s.body) request.body = s.body
  const context = s.ctx ? thin(r, { ...s.ctx, route: s.ctx.route === 'other' ? s.route : s.ctx.route }) : undefined
  if (context && s.route !== 'other') context.route = s.route
  if (context) Object.assign(context, s.ids)
  // Some apps run the refiner without Arcjet; local decisions carry an empty ip.
  const decision = r.chance(0.12) ? undefined : await arcjet.decide(s, request, r, pools)
  if (decision && r.chance(0.2)) decision.ip = {}
  // Apps pass what they have: some only the decision, some requests without ip or path (behind
  // proxies, in middleware), some only the user agent. Absent input must not read as a threat.
  const given = decision && r.chance(0.15) ? undefined : thinRequest(r, request)
  return { scenario, labels: labels(scenario), ...(given ? { request: given } : {}), ...(context ? { context } : {}), ...(decision ? { decision } : {}) }
}

function thinRequest(r, request) {
  if (r.chance(0.05)) return { headers: { 'user-agent': request.headers['user-agent'] } }
  const out = { ...request }
  for (const k of ['ip', 'path', 'method']) if (r.chance(0.08)) delete out[k]
  return out
}

const labels = (scenario) => {
  const l = SCENARIOS[scenario][1]
  return { bot: !!l.bot, attack: !!l.attack, abuse: !!l.abuse }
}

/**
 * Scenario → [mean seconds between one actor's requests, mean requests per actor]. Hard
 * (human-imitating) threats go five times slower.
 */
const PACE = {
  legit_browse: [15, 8],
  legit_signup: [20, 4],
  legit_login: [10, 3],
  legit_checkout: [20, 5],
  legit_api_client: [3, 30],
  legit_shared_ip: [0.5, 300],
  legit_privacy: [15, 6],
  legit_waf_trip: [20, 3],
  legit_support: [30, 3],
  legit_new_device: [15, 3],
  good_bot: [2, 40],
  scraper_headless: [2, 100],
  scraper_tool: [1, 80],
  credential_stuffing: [1, 300],
  card_testing: [1, 100],
  fake_signup: [2, 60],
  injection_probe: [1, 60],
}

const id = (r, prefix) => `${prefix}${Math.floor(r.u() * 2 ** 40).toString(36)}`
const geometric = (r, mean) => 1 + Math.floor(Math.log(1 - r.u()) / Math.log(1 - 1 / mean))
const netKind = (r) => (r.chance(0.15) ? 'v6' : 'public')
/** Another ip in the same /24 (IPv4) or /64 (IPv6). */
const neighbor = (r, addr) => (addr.includes(':') ? addr.replace(/::[0-9a-f]+$/, `::${r.int(1, 65535).toString(16)}`) : addr.replace(/\.\d+$/, `.${r.int(1, 254)}`))

/** One source of traffic that keeps its identity (ip, device, account, session) across requests. */
class Actor {
  constructor(r, pools, scenario, hard) {
    const [gap, life] = PACE[scenario]
    const threat = Object.keys(SCENARIOS[scenario][1]).length > 0
    this.scenario = scenario
    this.hard = hard
    this.left = geometric(r, life)
    this.speed = (threat && hard ? 0.2 : 1) / gap
    // Apps differ in what they pass: ids of the session and account, a device id of their own.
    this.passesIds = r.chance(0.7)
    this.deviceId = r.chance(0.2) ? id(r, 'dev-') : undefined
    this.ip = ip(r, netKind(r))
    this.lang = r.pick(LANGUAGES)
    this.session = id(r, 'sess-')
    this.account = id(r, 'acct-')
    this.ua = undefined
    this.email = undefined
    // Campaigns try a fresh account each time; half the easy ones stay on one ip (a single VPS).
    this.freshAccounts = ['credential_stuffing', 'fake_signup'].includes(scenario)
    this.rotating = (this.freshAccounts && (hard || r.chance(0.5))) || (threat && hard && r.chance(0.5))
    this.networks = Array.from({ length: r.int(1, 3) }, () => ip(r, 'public'))
    if (scenario === 'legit_shared_ip') {
      this.users = Array.from({ length: r.int(5, 60) }, () => ({ lang: r.pick(LANGUAGES), session: id(r, 'sess-'), account: id(r, 'acct-'), ua: undefined, email: undefined }))
    }
    if (scenario === 'fake_signup') this.domain = r.chance(0.6) ? r.pick(pools.disposable) : undefined
  }

  /** Overrides a request sketch's identity with this actor's, fixing it at first use. */
  apply(s, r) {
    const who = this.users ? r.pick(this.users) : this
    if (this.rotating) {
      if (r.chance(this.hard ? 0.7 : 0.3)) this.ip = this.hard ? ip(r, netKind(r)) : neighbor(r, r.pick(this.networks))
      if (this.hard && r.chance(0.3)) this.ua = undefined
    }
    who.ua ??= s.ua
    s.ua = who.ua
    if (s.email) {
      if (this.freshAccounts) {
        if (this.domain) s.email = s.email.replace(/@.*/, `@${this.domain}`)
      } else {
        who.email ??= s.email
        s.email = who.email
      }
    }
    s.ip = s.net.kind === 'private' ? ip(r, 'private') : this.ip
    s.lang = who.lang
    const loggedIn = s.ctx?.loggedIn || s.route === 'checkout' || s.route === 'api'
    s.ids = {}
    if (this.passesIds) {
      s.ids.sessionId = who.session
      if (loggedIn && !this.freshAccounts) s.ids.accountId = who.account
    }
    if (this.deviceId) s.ids.fingerprint = this.deviceId
    this.left--
  }
}

/** Active actors per scenario and the per-ip fixed windows the rate limit counts. */
class World {
  constructor(r, rate, difficulty) {
    this.r = r
    this.rate = rate
    this.difficulty = difficulty
    this.actors = new Map()
    this.windows = new Map()
    this.now = 1.764e12
  }

  /** An actor of `scenario`: an active one, or a new one when fewer are busy than its pace needs. */
  actorFor(scenario, share, pools) {
    const r = this.r
    const list = this.actors.get(scenario) ?? []
    this.actors.set(scenario, list)
    const busy = Math.max(1, Math.round(this.rate * share * PACE[scenario][0]))
    if (list.length < busy && (list.length === 0 || r.chance(1 / PACE[scenario][1]))) {
      list.push(new Actor(r, pools, scenario, r.chance(this.difficulty)))
    }
    const actor = r.weighted(list, (a) => a.speed)
    if (actor.left <= 1) list.splice(list.indexOf(actor), 1)
    return actor
  }

  /** Requests from `addr` in the current 60 s window, this one included. */
  countIp(addr) {
    const start = Math.floor(this.now / 60000)
    const w = this.windows.get(addr)
    if (!w || w.start !== start) {
      if (this.windows.size > 200000) this.windows.clear()
      this.windows.set(addr, { start, n: 1 })
      return 1
    }
    return ++w.n
  }
}

/**
 * The outcomes the app learns after serving `sample` (none when the rules blocked it). A payment
 * that went through may come back as a chargeback: most of a card tester's, few of people's
 * (disputes). Banks take weeks; the corpus records it right away, and the counter's 90-day time
 * constant makes the difference small.
 */
function outcomes(r, sample) {
  if (sample.decision?.conclusion === 'DENY' || !r.chance(0.85)) return []
  const route = sample.context?.route
  const bad = sample.labels.abuse
  const event =
    route === 'login' && sample.request?.method === 'POST' ? (r.chance(bad ? 0.97 : 0.1) ? 'login_failed' : 'login_ok')
      : route === 'checkout' && sample.request?.method === 'POST' ? (r.chance(bad ? 0.85 : 0.04) ? 'payment_declined' : 'payment_ok')
      : route === 'signup' && r.chance(bad ? 0.05 : 0.6) ? 'signup_confirmed'
      : undefined
  if (!event) return []
  const req = sample.request ?? {}
  const headers = {}
  for (const h of ['user-agent', 'sec-ch-ua', 'accept-language']) if (req.headers?.[h] !== undefined) headers[h] = req.headers[h]
  const context = {}
  for (const k of ['accountId', 'sessionId', 'fingerprint']) if (sample.context?.[k] !== undefined) context[k] = sample.context[k]
  const line = { event, at: sample.at + 1, request: { ip: req.ip, email: req.email, headers }, context }
  const disputed = event === 'payment_ok' && r.chance(bad ? 0.7 : 0.002)
  return disputed ? [line, { ...line, event: 'chargeback' }] : [line]
}

/**
 * Generates `n` labeled samples in time order, with the outcome events apps report between them
 * (lines with an `event`, not counted in `n`); same options, same lines.
 * `difficulty` (0–1) is the share of threats that imitate people: browser user agents, residential
 * ips, human-looking sessions, a slower pace. `mix` overrides scenario weights by name (0 removes a
 * scenario). `rate` is the site's requests per second.
 */
export async function* simulate({ n, seed = 7, pool = 'all', difficulty = 0.3, mix = {}, rate = 30 }) {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, not ${n}`)
  if (!(difficulty >= 0 && difficulty <= 1)) throw new RangeError(`difficulty must be between 0 and 1, not ${difficulty}`)
  if (!(rate > 0)) throw new RangeError(`rate must be a number > 0, not ${rate}`)
  for (const [name, w] of Object.entries(mix)) {
    if (!(name in SCENARIOS)) throw new RangeError(`unknown scenario "${name}" in mix; known: ${Object.keys(SCENARIOS).join(', ')}`)
    if (!(w >= 0)) throw new RangeError(`mix weight of ${name} must be a number ≥ 0, not ${w}`)
  }
  const weights = Object.fromEntries(Object.entries(SCENARIOS).map(([k, [w]]) => [k, mix[k] ?? w]))
  const names = Object.keys(weights).filter((k) => weights[k] > 0)
  if (!names.length) throw new RangeError('mix leaves no scenario with a positive weight')
  const total = names.reduce((t, k) => t + weights[k], 0)
  const r = rngFrom(seed)
  const pools = loadPools(pool)
  const arcjet = await createArcjet()
  const world = new World(r, rate, difficulty)
  for (let i = 0; i < n; i++) {
    // At least 1 ms apart, so an outcome (1 ms after its request) never passes the next request.
    world.now += Math.max(1, Math.round((-Math.log(1 - r.u()) / rate) * 1000))
    const scenario = r.weighted(names, (k) => weights[k])
    const actor = world.actorFor(scenario, weights[scenario] / total, pools)
    const sample = await makeSample(r, pools, arcjet, scenario, actor, world)
    const line = { at: world.now, ...sample }
    yield line
    yield* outcomes(r, line)
  }
}

/** Parses `name=weight,name=weight` into a mix. */
export function parseMix(text) {
  const mix = {}
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [name, w] = part.split('=')
    mix[name.trim()] = Number(w)
  }
  return mix
}

/** Writes `simulate(options)` as JSONL to `out` (a writable stream); resolves to the sample count. */
export async function writeCorpus(out, options) {
  let buf = ''
  let n = 0
  for await (const s of simulate(options)) {
    buf += `${JSON.stringify(s)}\n`
    if (!s.event) n++
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((ok) => out.once('drain', ok))
      buf = ''
    }
  }
  await new Promise((ok, fail) => out.end(buf, (e) => (e ? fail(e) : ok())))
  return n
}
