// Seeded simulator of labeled request traffic over time, for training and for coverage tests:
// request, app context, the rule decision as Arcjet makes it (its real local rules; its cloud
// rules after its documented behavior), the scenario and its labels (bot / attack / abuse; none =
// legitimate), plus the outcome events an app reports, in time order.
//
//   node scripts/simulate/cli.mjs --n 100000 --seed 7 --pool train --out corpus.jsonl
//
// It is a tool for coverage, not the truth: a model is only as good as what it cannot learn from
// the simulator's habits. So every field that is not evidence is drawn from the same distribution
// for people and for threats:
// - context comes from the actor's own simulated history (a session's age, requests and pages are
//   counted as its requests happen; a form's fill time is the server's render-to-submit time), and
//   every actor's app reports the same share of fields;
// - a client sends what that client really sends (clients.mjs: real captures and browser header
//   sets), for people and threats alike; nothing is dropped at random;
// - routes, methods, body formats (JSON or form), ip kinds (residential, mobile, hosting, VPN)
//   and session handling are drawn per request kind, not per label;
// - hard threats (`difficulty`) imitate people on every single-request axis: a real browser's
//   headers, a person's pace and session, a residential ip, a fresh identity.
// What differs is evidence only: a payload, a script's or a crawler's presentation, a headless
// browser's hints, an account's failed logins and declines, many accounts from one device.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { createArcjet } from './arcjet.mjs'
import { APP_SETS, browserBase, browserRequest, LIBRARY_SETS, scriptRequest, unknownBotUa } from './clients.mjs'
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
  return {
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
}

function gauss(u) {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())
}

const FIRST = ['anna', 'john', 'maria', 'li', 'ahmed', 'sofia', 'lucas', 'emma', 'noah', 'olivia', 'mia', 'liam', 'sean', 'chloe', 'yuki', 'ines', 'jose', 'fatima', 'ravi', 'zoe']
const LAST = ['smith', 'garcia', 'obrien', 'muller', 'rossi', 'nguyen', 'kowalski', 'silva', 'kim', 'dubois', 'oconnor', 'patel', 'jensen', 'haddad']
// Reserved-for-fiction (555-01xx) and documentation-style numbers in the formats people type.
const PHONES = ['+1 415 555 0100', '(212) 555-0147', '+44 20 7946 0958', '+49 30 901820', '06 12 34 56 78', '+1-202-555-0173', '415.555.0123']
// Texts vary by a few numbers only: Arcjet's verdicts are memoized per body (see ./arcjet.mjs).
const ORDERS = ['10482', '23119', '31877', '40215', '52764', '66930', '71308', '85541', '90026', '11873', '27450', '39912']
const STREETS = ["12 Rue de l'Église", "7 O'Connell Street", '221B Baker Street', 'Hauptstraße 5', "3 Chemin d'Avignon", '1600 Amphitheatre Pkwy']
const LANGUAGES = ['en-US,en;q=0.9', 'de-DE,de;q=0.9,en;q=0.8', 'fr-FR,fr;q=0.9', 'en-GB,en;q=0.8', 'es-ES,es;q=0.9', 'pt-BR,pt;q=0.9', 'ja-JP,ja;q=0.9', 'en-US']
/** What people type into support and review forms: odd, code-like, never hostile. */

function humanEmail(r, pools) {
  const local = r.pick([
    () => `${r.pick(FIRST)}.${r.pick(LAST)}`,
    () => `${r.pick(FIRST)}${r.pick(LAST)}${r.int(1, 99)}`,
    () => `${r.pick(FIRST)}.${r.pick(LAST)}${r.int(1970, 2006)}`,
    () => `${r.pick(FIRST)[0]}${r.pick(LAST)}`,
    () => `${r.pick(FIRST)}.${r.pick(LAST)}+${r.pick(['shop', 'news', 'orders'])}`,
  ])()
  const domain = r.chance(0.62) ? r.pick(pools.free) : r.chance(0.3) ? r.pick(pools.freeTail) : `${r.pick(['acme', 'globex', 'initech', 'umbrella', 'stark', 'wayne'])}${r.pick(['', '-corp', 'labs'])}.${r.pick(['com', 'io', 'de', 'co.uk'])}`
  // The long tail of free providers includes services the disposable lists name; people rarely sign up with those.
  return pools.disposableKnown.has(domain) ? humanEmail(r, pools) : `${local}@${domain}`
}

function fakeEmail(r, pools) {
  const rand = () => Array.from({ length: r.int(8, 14) }, () => r.pick('abcdefghijklmnopqrstuvwxyz0123456789'.split(''))).join('')
  const local = r.pick([rand, () => `${r.pick(FIRST)}${r.int(1000, 99999)}`, () => `${r.pick(FIRST)}.${r.pick(LAST)}${r.int(1, 99)}`])()
  const domain = r.chance(0.5) ? r.pick(pools.disposable)
    : r.chance(0.4) ? `${rand().slice(0, 7)}mail.${r.pick(['com', 'net', 'xyz'])}` // a new disposable service no list has
    : r.pick(pools.free)
  return `${local}@${domain}`
}

const ipOf = (r, kind) =>
  kind === 'v6' ? `2a02:${r.int(4096, 65535).toString(16)}:${r.int(0, 65535).toString(16)}::${r.int(1, 65535).toString(16)}`
    : `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`
/** Another ip in the same /24 (IPv4) or /64 (IPv6). */
const neighbor = (r, addr) => (addr.includes(':') ? addr.replace(/::[0-9a-f]+$/, `::${r.int(1, 65535).toString(16)}`) : addr.replace(/\.\d+$/, `.${r.int(1, 254)}`))

/**
 * Where an actor's requests come from. People and easy threats alike: mostly residential, some
 * mobile (the ip changes now and then), some from hosting ranges (corporate VPNs, cloud desktops,
 * a VPS). Privacy users' exits and easy threats' VPSs are flagged by reputation feeds.
 */
function network(r, kind) {
  const v6 = r.chance(0.15)
  const net = { addr: ipOf(r, v6 ? 'v6' : 'v4'), mobile: r.chance(0.2), hosting: false, vpn: false, proxy: false, tor: false, relay: false }
  if (kind === 'vps') Object.assign(net, { hosting: true, mobile: false })
  else if (kind === 'proxy') Object.assign(net, { proxy: true, mobile: false })
  else if (kind === 'privacy') {
    const tor = r.chance(0.15)
    Object.assign(net, { tor, vpn: !tor, relay: !tor && r.chance(0.2), hosting: !tor && r.chance(0.5), mobile: false })
  } else if (r.chance(0.05)) Object.assign(net, { hosting: true, mobile: false })
  return net
}

const ROUTE_PATHS = {
  other: ['/', '/products/shoes', '/products/123', '/search?q=red+shoes', '/blog/summer-sale', '/cart', '/about', '/products?page=2&sort=price'],
  signup: ['/signup', '/account/register'],
  login: ['/login', '/account/sign-in'],
  checkout: ['/checkout', '/checkout/pay', '/api/payments'],
  api: ['/api/v1/orders', '/api/v1/products?page=2', '/api/v1/me', '/api/v1/cart'],
}

/**
 * One session of an actor: opened on its first request, counted by the server as requests come.
 * An app that passes ids passes this one's.
 */
class Session {
  constructor(r, now) {
    this.id = `sess-${Math.floor(r.u() * 2 ** 40).toString(36)}`
    this.started = now
    this.requests = 0
    this.pages = 0
    this.failedLogins = 0
    this.payments = 0
    this.declines = 0
    /** Forms a person has submitted in this session, by route. */
    this.submitted = new Set()
    this.renderedAt = null
  }
}

/** What the apps of the actors pass: everything (most), some fields, or only the route (some apps). */
function contextShape(r) {
  return r.weighted([{ w: 60, shape: 'full' }, { w: 25, shape: 'partial' }, { w: 15, shape: 'none' }], (x) => x.w).shape
}

/** One source of traffic that keeps its identity (network, client, account, session) across requests. */
class Actor {
  constructor(r, pools, scenario, hard, now) {
    const [gap, life] = PACE[scenario]
    this.scenario = scenario
    this.threat = Object.keys(SCENARIOS[scenario][1]).length > 0
    this.hard = hard
    this.left = geometric(r, life)
    this.speed = (this.threat && hard ? 0.2 : 1) / gap
    this.shape = contextShape(r)
    this.passesIds = r.chance(0.7)
    this.deviceId = r.chance(0.2) ? `dev-${Math.floor(r.u() * 2 ** 40).toString(36)}` : undefined
    this.lang = r.pick(LANGUAGES)
    // An easy threat runs from a flagged VPS or proxy; a hard one, like people, from home networks.
    const netKind = scenario === 'legit_privacy' ? 'privacy' : this.threat && !hard ? r.pick(['vps', 'vps', 'proxy', 'home']) : 'home'
    this.net = network(r, netKind)
    this.networks = Array.from({ length: r.int(1, 3) }, () => ipOf(r, 'v4'))
    this.rotating = this.threat && (hard || r.chance(0.3))
    this.freshIdentities = ['credential_stuffing', 'fake_signup'].includes(scenario) || (this.threat && hard && r.chance(0.5))
    this.session = new Session(r, now)
    this.accountCreated = now - r.logn(200, 1.5) * 86400e3
    this.account = `acct-${Math.floor(r.u() * 2 ** 40).toString(36)}`
    this.verified = r.chance(0.9)
    this.client = null
    this.email = undefined
    if (scenario === 'legit_shared_ip') {
      // Carrier-grade NAT, offices, universities: one ip, many people, each with a session.
      this.users = Array.from({ length: r.int(5, 60) }, () => ({ lang: r.pick(LANGUAGES), session: new Session(r, now), account: `acct-${Math.floor(r.u() * 2 ** 40).toString(36)}`, client: null, email: undefined }))
    }
    if (scenario === 'fake_signup') this.domain = r.chance(0.6) ? r.pick(pools.disposable) : undefined
  }
}

/**
 * How each scenario's actor presents itself (`client`), what it asks for, and its request's body.
 * Returns a sketch: { route, kind ('navigate' | 'form-post' | 'fetch'), method, client, payload?, body?, email?, login? }.
 */
function sketch(r, pools, actor, scenario, existing, session) {
  const hard = actor.hard
  // An actor keeps the client it started with; a hard threat with fresh identities changes it.
  const own = (make) => existing ?? make()
  const browser = () => own(() => ({ type: 'browser', base: browserBase(r, pools) }))
  const script = (spoof) => own(() => newScript(spoof))
  const newScript = (spoof) => {
    const capture = r.chance(0.8) && pools.scripts.length ? r.pick(pools.scripts.filter((c) => c.kind === 'library' || c.kind === 'cli')) : null
    if (capture && !spoof) return { type: 'script', headers: capture.headers, source: capture.client }
    const pairs = capture ? capture.headers : r.pick(LIBRARY_SETS)
    return { type: 'script', headers: pairs, ua: spoof ? browserBase(r, pools).find(([n]) => n === 'user-agent')[1] : undefined, source: capture ? `${capture.client} (spoofed ua)` : 'convention' }
  }
  const automation = () =>
    own(() => {
      const list = pools.scripts.filter((c) => c.kind !== 'library' && c.kind !== 'cli' && (hard || c.kind !== 'stealth-automation'))
      return list.length ? { type: 'automation', pick: r.pick(list).client } : { type: 'browser', base: browserBase(r, pools) }
    })
  const formBody = (fields) => (r.chance(0.5) ? { format: 'json', value: fields } : { format: 'form', value: new URLSearchParams(fields).toString() })
  switch (scenario) {
    case 'legit_browse':
    case 'legit_shared_ip':
    case 'legit_new_device':
    case 'legit_privacy': {
      const route = scenario === 'legit_new_device' ? r.pick(['login', 'checkout']) : r.pick(['other', 'other', 'other', 'signup', 'login', 'checkout'])
      return humanRequest(r, pools, session, route, formBody)
    }
    case 'legit_signup':
      return humanRequest(r, pools, session, 'signup', formBody)
    case 'legit_login':
      return humanRequest(r, pools, session, 'login', formBody)
    case 'legit_checkout':
      return humanRequest(r, pools, session, 'checkout', formBody)
    case 'legit_api_client':
      return { route: 'api', kind: 'fetch', method: r.pick(['GET', 'GET', 'POST']), client: { type: 'script', headers: r.pick(APP_SETS), source: 'app' }, login: true }
    case 'legit_waf_trip':
    case 'legit_support': {
      const text = scenario === 'legit_waf_trip'
        ? (r.chance(0.8) ? r.pick(pools.wafTripText) : `Product review: ${r.pick(pools.benignText)}`)
        : r.pick([`Please call me back on ${r.pick(PHONES)} about order ${r.pick(ORDERS)}`, `Wrong size delivered, can I swap it? Thanks, ${r.pick(FIRST)}`, `My card ending ${r.pick(ORDERS).slice(-4)} was charged twice`, `Ship to ${r.pick(STREETS)} please`])
      return { route: r.pick(['other', 'other', 'signup', 'checkout']), kind: r.chance(0.5) ? 'form-post' : 'fetch', method: 'POST', client: browser(), body: formBody({ name: `${r.pick(FIRST)} ${r.pick(LAST)}`, message: text }), shieldFp: scenario === 'legit_waf_trip' }
    }
    case 'good_bot': {
      const search = r.chance(0.7)
      const c = r.pick(search ? pools.searchEngines : pools.linkPreviews)
      return { route: 'other', kind: 'navigate', method: 'GET', client: { type: 'script', headers: [['host', 'x'], ['user-agent', r.pick(c.instances)], ['accept', '*/*'], ['accept-encoding', 'gzip, deflate, br']], source: 'crawler' }, verified: search, noContext: true }
    }
    case 'scraper_headless':
      return { route: r.chance(0.8) ? 'other' : 'api', kind: r.chance(0.7) ? 'navigate' : 'fetch', method: 'GET', client: hard ? r.pick([browser(), automation()]) : automation() }
    case 'scraper_tool': {
      const listed = r.chance(0.35)
      const client = listed
        ? { type: 'script', headers: [['host', 'x'], ['user-agent', r.pick(r.pick(pools.unwantedCrawlers).instances)], ['accept', '*/*']], source: 'crawler' }
        : r.chance(0.2) ? { type: 'script', headers: [['host', 'x'], ['user-agent', unknownBotUa(r)], ['accept', '*/*']], source: 'unknown bot' }
        : script(r.chance(hard ? 0.7 : 0.3))
      return { route: r.pick(['other', 'other', 'api']), kind: 'fetch', method: 'GET', client, crawler: listed }
    }
    case 'credential_stuffing': {
      const client = hard ? r.pick([browser(), automation()]) : r.chance(0.5) ? browser() : script(r.chance(0.5))
      return { route: 'login', kind: client.type === 'browser' && r.chance(0.5) ? 'form-post' : 'fetch', method: 'POST', client, email: humanEmail(r, pools), login: false, body: formBody({ email: '', password: 'x' }) }
    }
    case 'card_testing': {
      const client = hard ? r.pick([browser(), automation()]) : r.chance(0.7) ? browser() : script(r.chance(0.5))
      return { route: 'checkout', kind: client.type === 'browser' && r.chance(0.5) ? 'form-post' : 'fetch', method: 'POST', client, login: r.chance(0.3), body: formBody({ address: r.pick(STREETS), card: 'tok_visa' }) }
    }
    case 'fake_signup': {
      const client = hard ? r.pick([browser(), automation()]) : r.chance(0.6) ? browser() : script(r.chance(0.5))
      return { route: 'signup', kind: client.type === 'browser' && r.chance(0.5) ? 'form-post' : 'fetch', method: 'POST', client, email: hard && r.chance(0.4) ? humanEmail(r, pools) : fakeEmail(r, pools), body: formBody({ email: '', name: `${r.pick(FIRST)} ${r.pick(LAST)}`, password: 'x' }) }
    }
    case 'injection_probe': {
      const kind = r.pick(Object.keys(pools.payloads))
      const { payload, source } = r.pick(pools.payloads[kind])
      // From a scanner, a script, or a person's browser on their own account: the payload is the evidence.
      const client = r.chance(hard ? 0.7 : 0.3) ? browser() : r.chance(0.2) ? { type: 'script', headers: [['host', 'x'], ['user-agent', r.pick(['sqlmap/1.8.4#stable (https://sqlmap.org)', 'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)', ''])], ['accept', '*/*']], source: 'scanner' } : script(r.chance(0.3))
      const human = client.type === 'browser' && r.chance(0.5)
      return { route: r.pick(['other', 'other', 'login', 'signup', 'checkout', 'api']), payload: { kind, text: payload, source, location: r.pick(['path', 'query', 'query', 'json', 'form', 'header', 'cookie']) }, client, login: human, humanContext: human }
    }
    default:
      throw new Error(`unknown scenario ${scenario}`)
  }
}

/**
 * A person's request on `route`: viewing its page, or submitting its form once in a session (again
 * only after a failed login or a declined card).
 */
function humanRequest(r, pools, session, route, formBody) {
  const retry = (route === 'login' && session.failedLogins > 0) || (route === 'checkout' && session.declines > 0)
  const form = route !== 'other' && (!session.submitted.has(route) || (retry && r.chance(0.5))) && r.chance(0.7)
  if (form) session.submitted.add(route)
  const fields = { signup: () => ({ email: '', name: `${r.pick(FIRST)} ${r.pick(LAST)}`, password: 'x' }), login: () => ({ email: '', password: 'x' }), checkout: () => ({ address: r.pick(STREETS), card: 'tok_visa' }) }[route]
  return {
    route,
    kind: form ? (r.chance(0.5) ? 'form-post' : 'fetch') : r.chance(0.8) ? 'navigate' : 'fetch',
    method: form ? 'POST' : 'GET',
    client: { type: 'browser', base: null },
    body: form && fields ? formBody(fields()) : undefined,
    email: form && (route === 'signup' || route === 'login') ? humanEmail(r, pools) : undefined,
    login: route === 'checkout' || route === 'api' ? r.chance(0.8) : route === 'other' && r.chance(0.4),
    human: true,
  }
}

/** Places a payload where the sketch says, as an attacker sends it (URL-encoded where a URL carries it). */
function placePayload(r, s, req) {
  const { text, location } = s.payload
  const enc = () => (r.chance(0.3) ? encodeURIComponent(encodeURIComponent(text)) : encodeURIComponent(text))
  switch (location) {
    case 'path':
      req.path = s.payload.kind === 'traversal' ? `/static/${text}` : `/products/${enc()}`
      break
    case 'query':
      req.path = `${req.path.split('?')[0]}?${r.pick(['q', 'id', 'page', 'redirect', 'sort'])}=${enc()}`
      break
    case 'json':
      req.method = 'POST'
      req.body = r.chance(0.5) ? { user: { profile: { [r.pick(['name', 'bio', 'city'])]: text } } } : { items: [{ id: 1, note: text }] }
      req.headers.push(['content-type', 'application/json'])
      break
    case 'form':
      req.method = 'POST'
      req.body = `${r.pick(['q', 'comment', 'name', 'search'])}=${encodeURIComponent(text)}&submit=1`
      req.headers.push(['content-type', 'application/x-www-form-urlencoded'])
      break
    case 'header':
      // A header carries bytes: UTF-8 text arrives as the latin1 characters Node reads it as.
      req.headers.push([r.pick(['referer', 'x-forwarded-for', 'x-api-version', 'user-agent']), Buffer.from(text.replace(/[\r\n]/g, ' '), 'utf8').toString('latin1')])
      break
    default:
      req.headers.push(['cookie', `sid=abc; ${r.pick(['pref', 'lang', 'track'])}=${encodeURIComponent(text)}`])
  }
}

/** Makes the actor's next request and its context, from the actor's simulated history. */
function makeSample(r, pools, arcjet, actor, world) {
  const who = actor.users ? r.pick(actor.users) : actor
  const now = world.now
  const fresh = actor.threat && actor.hard && actor.freshIdentities
  const s = sketch(r, pools, actor, actor.scenario, fresh ? null : who.client, who.session)
  // Identity: a hard threat rotates ips and, with fresh identities, sessions and clients.
  if (actor.rotating && r.chance(actor.hard ? 0.7 : 0.3)) actor.net = { ...actor.net, addr: actor.hard ? ipOf(r, 'v4') : neighbor(r, r.pick(actor.networks)) }
  else if (actor.net.mobile && r.chance(0.05)) actor.net = { ...actor.net, addr: ipOf(r, 'v4') }
  if (fresh) who.session = new Session(r, now)
  else if (now - who.session.started > 30 * 60e3 && r.chance(0.2)) who.session = new Session(r, now)
  // A person's browser is theirs across requests.
  if (s.client.type === 'browser' && !s.client.base) s.client = { type: 'browser', base: (who.browser ??= browserBase(r, pools)) }
  who.client = s.client
  const client = s.client
  const session = who.session

  const req = { ip: actor.net.addr, method: s.method ?? 'GET', path: r.pick(ROUTE_PATHS[s.route]) }
  const body = s.body
  const contentType = body ? (body.format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded') : undefined
  const cookie = session.requests > 0 && client.type === 'browser' ? `sid=${session.id.slice(5, 13)}` : undefined
  if (client.type === 'browser') {
    const site = session.requests === 0 ? r.pick(['none', 'cross-site']) : 'same-origin'
    req.headers = browserRequest(client.base, s.kind ?? 'navigate', { site, cookie, lang: r.chance(0.5) ? (who.lang ?? actor.lang) : undefined, contentType })
  } else if (client.type === 'automation') {
    // Every capture of the tool for this kind of request: its own user agent, or a browser's put
    // in its place (\`--user-agent\`, \`page.setUserAgent\`), whose client hints still say what it runs on.
    const captures = pools.scripts.filter((c) => c.client === client.pick)
    const ofKind = captures.filter((c) => c.request === (s.kind ?? 'navigate'))
    const capture = r.pick(ofKind.length ? ofKind : captures)
    req.headers = scriptRequest(capture.headers, { contentType, cookie })
  } else {
    req.headers = scriptRequest(client.headers, { contentType, ua: client.ua })
  }
  if (body) req.body = body.format === 'json' ? { ...body.value } : body.value
  if (s.email) {
    who.email = actor.freshIdentities ? s.email : (who.email ??= s.email)
    req.email = actor.domain ? who.email.replace(/@.*/, `@${actor.domain}`) : who.email
    if (req.body && typeof req.body === 'object') req.body.email = req.email
    else if (typeof req.body === 'string') req.body = req.body.replace(/(^|&)email=(&|$)/, `$1email=${encodeURIComponent(req.email)}$2`)
  }
  if (s.payload) placePayload(r, s, req)
  const headerSet = req.headers
  // Logs and apps pass headers as Node's object (lowercase names); repeated names are joined.
  req.headers = Object.fromEntries(headerSet)

  const context = s.noContext ? undefined : contextOf(r, actor, who, session, s, now)
  session.requests += 1
  if (s.kind === 'navigate' || (!s.kind && req.method === 'GET')) session.pages += 1
  if (s.route !== 'other' && req.method === 'GET') session.renderedAt = now
  return { s, req, context, session, clientSource: client.source ?? (client.type === 'browser' ? `browser (${pools.pool === 'train' ? 'header-generator' : 'capture'})` : client.pick) }
}

/** The context the app's server computes for this request, as much of it as the app passes. */
function contextOf(r, actor, who, session, s, now) {
  if (actor.shape === 'none') return undefined
  const c = { route: s.route }
  const loggedIn = !!s.login && !(actor.freshIdentities && actor.scenario !== 'card_testing')
  const accountAge = actor.scenario === 'fake_signup' || (actor.scenario === 'card_testing' && loggedIn) ? r.int(0, 2) : Math.max(0, Math.round((now - actor.accountCreated) / 86400e3))
  const full = {
    sessionAgeS: Math.round((now - session.started) / 1000),
    sessionRequests: session.requests,
    pagesSeen: session.pages,
    failedLogins: session.failedLogins,
    loggedIn,
  }
  if (loggedIn || s.route === 'login') Object.assign(full, { accountAgeDays: s.route === 'login' && !loggedIn && actor.scenario === 'credential_stuffing' && r.chance(0.5) ? undefined : accountAge, emailVerified: loggedIn ? actor.verified && !actor.threat : undefined })
  if (s.route === 'signup') Object.assign(full, { accountAgeDays: 0, emailVerified: false })
  // The server measures the form from its render (if this session fetched the page) to its submit.
  if (s.method === 'POST' && session.renderedAt !== null) full.formFillMs = now - session.renderedAt
  if (s.route === 'checkout') {
    session.payments += s.method === 'POST' ? 1 : 0
    Object.assign(full, { cartValue: Math.round(r.logn(60, 0.9) * 100) / 100, paymentAttempts: session.payments })
  }
  for (const [k, v] of Object.entries(full)) if (v !== undefined && (actor.shape === 'full' || r.chance(0.6))) c[k] = v
  if (actor.passesIds) {
    c.sessionId = session.id
    if (loggedIn) c.accountId = actor.freshIdentities && actor.scenario !== 'card_testing' ? undefined : who.account ?? actor.account
  }
  if (actor.deviceId) c.fingerprint = actor.deviceId
  return c
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

const geometric = (r, mean) => 1 + Math.floor(Math.log(1 - r.u()) / Math.log(1 - 1 / mean))

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
      list.push(new Actor(r, pools, scenario, r.chance(this.difficulty), this.now))
    }
    const actor = r.weighted(list, (a) => a.speed)
    if (actor.left-- <= 1) list.splice(list.indexOf(actor), 1)
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
 * The outcomes the app learns after serving a request the rules let through: a login's, a
 * payment's, a sign-up's confirmation, and now and then a chargeback. People mistype passwords and
 * have cards declined too; credential stuffers mostly try credentials that do not work, card
 * testers mostly cards that are declined.
 */
function outcomes(r, line, actor, session) {
  if (line.decision?.conclusion === 'DENY' || !r.chance(0.85)) return []
  const route = line.context?.route ?? line.route
  const post = line.request?.method === 'POST'
  const abuse = actor.scenario
  const event =
    route === 'login' && post ? (r.chance(abuse === 'credential_stuffing' ? 0.97 : 0.1) ? 'login_failed' : 'login_ok')
      : route === 'checkout' && post ? (r.chance(abuse === 'card_testing' ? 0.85 : 0.04) ? 'payment_declined' : 'payment_ok')
      : route === 'signup' && post && r.chance(abuse === 'fake_signup' ? 0.05 : 0.6) ? 'signup_confirmed'
      : undefined
  if (!event) return []
  if (event === 'login_failed') session.failedLogins += 1
  if (event === 'payment_declined') session.declines += 1
  const req = line.request ?? {}
  const headers = {}
  for (const h of ['user-agent', 'sec-ch-ua', 'accept-language']) if (req.headers?.[h] !== undefined) headers[h] = req.headers[h]
  const context = {}
  for (const k of ['accountId', 'sessionId', 'fingerprint']) if (line.context?.[k] !== undefined) context[k] = line.context[k]
  const out = { event, at: line.at + 1, request: { ip: req.ip, email: req.email, headers }, context }
  const disputed = event === 'payment_ok' && r.chance(abuse === 'card_testing' ? 0.7 : 0.002)
  return disputed ? [out, { ...out, event: 'chargeback' }] : [out]
}

/**
 * A sample's labels: its scenario's, and `bot` for unwanted automation wherever it shows: a
 * scanner's or script's injection probe, and a crawler the app's own bot rule did not allow by
 * name (without a bot rule, an app has said no bot is wanted).
 */
const labels = (scenario, s, decision) => {
  const l = SCENARIOS[scenario][1]
  const script = s.client.type !== 'browser'
  const allowedByName = decision?.results?.some((r) => r.reason?.type === 'BOT' && r.conclusion === 'ALLOW' && r.reason.allowed?.length > 0)
  const bot = !!l.bot || (scenario === 'injection_probe' && script) || (scenario === 'good_bot' && !allowedByName)
  return { bot, attack: !!l.attack, abuse: !!l.abuse }
}

/**
 * Generates `n` labeled samples in time order, with the outcome events apps report between them
 * (lines with an `event`, not counted in `n`); same options, same lines.
 * `difficulty` (0–1) is the share of threat actors that imitate people on every single-request
 * axis. `mix` overrides scenario weights by name (0 removes a scenario). `rate` is the site's
 * requests per second. `pool` chooses the material (see data.mjs and clients.mjs).
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
    const { s, req, context, session, clientSource } = makeSample(r, pools, arcjet, actor, world)
    const sketchForRules = { ...s, payloadKind: s.payload?.kind, net: { ...actor.net, requests: world.countIp(req.ip) } }
    // Some apps run the refiner without Arcjet.
    const decision = r.chance(0.12) ? undefined : await arcjet.decide(sketchForRules, req, r, pools)
    const line = { at: world.now, scenario, labels: labels(scenario, s, decision), source: s.payload ? `${s.payload.source} · ${s.payload.kind} · ${s.payload.location}` : clientSource, request: req }
    if (context) line.context = context
    if (decision) line.decision = decision
    yield line
    yield* outcomes(r, line, actor, session)
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
