#!/usr/bin/env node
// The independent real-source evaluation corpus: target/eval-real.jsonl (see README.md here).
//
//   node scripts/eval-real/generate.mjs [--seed 1] [--rows 30000] [--out target/eval-real.jsonl]
//
// Written without the project's simulator: its own session model, its own distributions, public
// material only (data/clients captures, npm user-agents / crawler-user-agents /
// disposable-email-domains, Debian's CRS tests, wfuzz, wapiti, fortunes, word lists), and rules
// decided by the real Arcjet SDK (bot, email syntax) and an OWASP CRS emulation (shield).

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createRequire } from 'node:module'
import { Rng } from './lib/rng.mjs'
import { browserHeaders, captureHeaders, captureIndex, drawBrowser, getCapture, headerObject, HOST, USER_AGENTS_VERSION } from './lib/clients.mjs'
import { applyRateLimit, createRules, decide, disposable, OUT, RATE, ROOT, runWaf } from './lib/rules.mjs'
import { benignText, drawBotEmail, drawEmail, drawEncoding, drawName, encodeFor, loadMaterial, PLACEMENTS, productSlug, searchQuery } from './lib/text.mjs'

const require = createRequire(import.meta.url)

export const SCENARIOS = ['ordinary', 'new_visitor', 'privacy', 'waf_false_positive', 'rules_correct_block', 'missed_attack_anonymous', 'missed_attack_logged_in', 'missed_bot']
const T0 = Date.UTC(2025, 11, 1, 7, 0, 0)

// Share of the corpus each kind of actor produces (rows), before the rules split them into scenarios.
const SHARES = { shopper: 0.34, nat: 0.12, writer: 0.1, newcomer: 0.1, privacy: 0.09, attackAnon: 0.09, attackLogged: 0.05, crawler: 0.04, bot: 0.07 }

function parseArgs(argv) {
  const a = { seed: 1, rows: 30000, out: join(ROOT, 'target', 'eval-real.jsonl') }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seed') a.seed = Number(argv[++i])
    else if (argv[i] === '--rows') a.rows = Number(argv[++i])
    else if (argv[i] === '--out') a.out = resolve(argv[++i])
    else throw new Error(`unknown argument ${argv[i]}`)
  }
  return a
}

// ------------------------------------------------------------------ addresses

const RESIDENTIAL = [24, 50, 67, 71, 73, 76, 81, 82, 86, 88, 90, 92, 94, 98, 109, 176, 178, 188, 212, 217]
const MOBILE = [37, 46, 80, 89, 93, 174, 193]
const HOSTING = [3, 13, 18, 34, 35, 44, 52, 54, 104, 134, 138, 139, 143, 157, 159, 161, 164, 167, 206]
const octet = (rng) => rng.int(1, 254)
function ipFrom(rng, firsts) { return `${rng.pick(firsts)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${octet(rng)}` }
const NO_FLAGS = { isHosting: false, isVpn: false, isProxy: false, isTor: false, isRelay: false, isAbuser: false }

class Pools {
  constructor(rng) {
    this.tor = Array.from({ length: 14 }, () => ipFrom(rng, HOSTING))
    this.vpn = Array.from({ length: 36 }, () => ipFrom(rng, HOSTING))
    this.relay = Array.from({ length: 120 }, () => `172.${rng.int(224, 232)}.${rng.int(0, 255)}.${octet(rng)}`)
  }
}

/** An ip and its flags. `kind`: residential | mobile | hosting | vpn | tor | relay. */
function drawIp(rng, pools, kind) {
  switch (kind) {
    case 'mobile': return { ip: ipFrom(rng, MOBILE), flags: { ...NO_FLAGS }, kind }
    case 'hosting': return { ip: ipFrom(rng, HOSTING), flags: { ...NO_FLAGS, isHosting: true }, kind }
    case 'vpn': return { ip: rng.pick(pools.vpn), flags: { ...NO_FLAGS, isHosting: true, isVpn: true }, kind }
    case 'tor': return { ip: rng.pick(pools.tor), flags: { ...NO_FLAGS, isTor: true, isProxy: rng.chance(0.3) }, kind }
    case 'relay': return { ip: rng.pick(pools.relay), flags: { ...NO_FLAGS, isRelay: true }, kind }
    default: return { ip: ipFrom(rng, RESIDENTIAL), flags: { ...NO_FLAGS }, kind: 'residential' }
  }
}

// ------------------------------------------------------------------ sessions

// What the app passes as context: drawn per session from one distribution for people and threats.
const INTEGRATIONS = [['full', 45], ['partial', 35], ['minimal', 20]]

class Session {
  constructor(g, rng, opts) {
    this.g = g
    this.rng = rng
    this.start = opts.start
    this.t = opts.start
    this.client = opts.client // { type: 'browser', b } | { type: 'capture', file, kind } | { type: 'crawler', ua, file }
    this.net = opts.net
    this.actor = opts.actor
    this.integration = rng.weighted(INTEGRATIONS)
    this.proxy = rng.chance(0.55)
    this.http2 = rng.chance(0.5)
    this.sessionId = `s-${rng.hex(12)}`
    this.preAge = opts.preAge ?? 0 // seconds of the session before its first row (people who were already browsing)
    this.requests = opts.priorRequests ?? 0
    this.pages = opts.priorPages ?? 0
    this.loggedIn = !!opts.account
    this.account = opts.account ?? null // { id, ageDays, verified, email, name }
    this.cookie = this.loggedIn || opts.priorRequests > 0 ? this.newCookie() : null
    // A session that was already browsing comes from one of the site's pages.
    this.lastPath = opts.landingReferer ?? (this.requests > 0 ? `https://${HOST}/${this.rng.chance(0.5) ? '' : `products/${productSlug(this.rng)}`}` : null)
    this.cart = 0
    this.payments = 0
    this.failedLogins = 0
    this.name = opts.name
  }

  newCookie() { return `sid=${this.rng.hex(32)}; _ga=GA1.1.${this.rng.int(1e8, 2e9)}.${Math.floor((this.start - this.rng.int(0, 9e8)) / 1000)}${this.rng.chance(0.4) ? `; cart=${this.rng.int(0, 5)}` : ''}` }

  gap(median = 14, sigma = 1.0) { this.t += Math.round(Math.min(600, Math.max(0.25, this.rng.lognormal(median, sigma))) * 1000) }

  context(route, extra = {}) {
    const c = { route }
    const ageS = Math.round(this.preAge + (this.t - this.start) / 1000)
    if (this.integration === 'minimal') return c
    c.sessionId = this.sessionId
    c.loggedIn = this.loggedIn
    c.sessionAgeS = ageS
    if (extra.formFillMs != null) c.formFillMs = extra.formFillMs
    if (this.integration === 'partial') return c
    c.sessionRequests = this.requests
    c.pagesSeen = this.pages
    if (this.account) {
      c.accountId = this.account.id
      c.accountAgeDays = this.account.ageDays
      c.emailVerified = this.account.verified
    }
    if (route === 'login') c.failedLogins = this.failedLogins
    if (route === 'checkout') { c.cartValue = this.cart; c.paymentAttempts = this.payments }
    return c
  }

  /** Adds one request row. `r`: { method, path, kind, route, bodyObj, format, email, payload, text, labels, event }. */
  emit(r) {
    const g = this.g
    let body = null
    let contentType = null
    if (r.bodyObj) {
      if (r.format === 'json') { body = JSON.stringify(r.bodyObj); contentType = 'application/json' } else {
        body = Object.entries(r.bodyObj).map(([k, v]) => `${encodeURIComponent(k)}=${r.rawForm?.[k] ?? encodeURIComponent(String(v)).replace(/%20/g, '+')}`).join('&')
        contentType = 'application/x-www-form-urlencoded'
      }
    }
    const site = this.lastPath == null ? (r.landing ?? 'none') : (this.lastPath.startsWith(`https://${HOST}`) ? 'same-origin' : 'cross-site')
    const req = { kind: r.kind, method: r.method, contentType, bodyLength: body ? Buffer.byteLength(body) : 0, referer: this.lastPath, site, cookie: r.cookie ?? this.cookie, http2: this.http2, proxy: this.proxy ? { xff: this.net.ip } : null, extra: r.extraHeaders }
    let list
    const c = this.client
    if (c.type === 'browser') list = browserHeaders(c.b, req)
    else if (c.type === 'crawler') {
      // The crawler's user agent over its library's header set, also where the library sends none.
      list = captureHeaders(c.file, req).filter(([k]) => k !== 'user-agent')
      list.splice(1, 0, ['user-agent', c.ua])
    }
    else list = captureHeaders(pickCaptureKind(c, r.kind), req)
    if (r.headerPayload) {
      const [name, value] = r.headerPayload
      const i = list.findIndex(([k]) => k === name)
      if (i >= 0) list[i] = [name, value]
      else list.splice(Math.max(1, list.length - (this.proxy ? 2 : 0)), 0, [name, value])
    }
    const context = this.context(r.route, { formFillMs: r.formFillMs })
    const row = {
      at: this.t,
      ip: this.net.ip,
      ipFlags: this.net.flags,
      request: { ip: this.net.ip, method: r.method, path: r.path, headers: headerObject(list) },
      context,
      waf: { method: r.method, uri: r.path, headers: list, body },
      actor: this.actor,
      client: c.type === 'browser' ? c.b.source : c.type === 'crawler' ? `crawler ${c.group}` : c.file,
      material: r.material ?? null,
      payload: r.payload ?? null,
      labels: r.labels ?? { bot: false, attack: false, abuse: false },
      event: r.event ?? null,
      email: r.email ?? null,
      emailRule: r.route === 'signup' && r.method === 'POST' && !!r.email,
      net: this.net.kind,
    }
    if (r.email) row.request.email = r.email
    if (r.bodyObj) row.request.body = r.bodyObj
    g.rows.push(row)
    this.requests++
    if (r.method === 'GET' && r.kind === 'navigate') this.pages++
    if (r.kind !== 'fetch') this.lastPath = `https://${HOST}${r.path.split('?')[0]}` // fetch() leaves the page where it is
    if (!this.cookie && this.client.type === 'browser') this.cookie = this.newCookie()
    return row
  }
}

function pickCaptureKind(c, kind) {
  if (!c.requests) return c.file
  const want = kind === 'form' ? 'form-post' : kind
  return c.requests[want] ?? c.requests.navigate ?? c.file
}

// ------------------------------------------------------------------ what people do

function formFill(rng, route) {
  // Autofill and password managers fill a form in 1–3 s; typing takes longer.
  const auto = { login: 0.45, signup: 0.25, checkout: 0.35, other: 0.1 }[route] ?? 0.1
  if (rng.chance(auto)) return rng.int(1000, 3000)
  const median = { login: 6500, signup: 24000, checkout: 38000, other: 45000 }[route] ?? 20000
  return Math.round(Math.min(900000, Math.max(1200, rng.lognormal(median, 0.6))))
}

function browse(s, m) {
  const rng = s.rng
  const p = rng.weighted([
    [() => `/products/${productSlug(rng)}`, 40], [() => `/category/${rng.pick(['women', 'men', 'home', 'kids', 'sale', 'new'])}${rng.chance(0.3) ? `?page=${rng.int(2, 9)}` : ''}`, 20],
    [() => `/search?q=${encodeURIComponent(searchQuery(rng, m)).replace(/%20/g, '+')}`, 18], [() => '/', 8], [() => '/cart', 6], [() => `/blog/${productSlug(rng)}`, 4], [() => '/account/orders', s.loggedIn ? 4 : 0],
  ])()
  return { method: 'GET', path: p, kind: 'navigate', route: 'other' }
}

function apiCall(s, m, readOnly = false) {
  const rng = s.rng
  if (readOnly || rng.chance(0.6)) return { method: 'GET', path: rng.pick([`/api/products?page=${rng.int(1, 30)}&sort=${rng.pick(['price', 'new', 'popular'])}`, `/api/products/${productSlug(rng)}`, '/api/cart', `/api/stock?sku=${rng.int(10000, 99999)}`, `/api/search?q=${encodeURIComponent(searchQuery(rng, m))}`]), kind: 'fetch', route: 'api' }
  s.cart += rng.int(9, 180)
  return { method: 'POST', path: '/api/cart', kind: 'fetch', route: 'api', format: 'json', bodyObj: { sku: String(rng.int(10000, 99999)), qty: rng.int(1, 3), ...(rng.chance(0.3) ? { options: { size: rng.pick(['S', 'M', 'L', 'XL']), color: rng.pick(['red', 'navy', 'sand']) } } : {}) } }
}

function textPost(s, m, codeHeavy) {
  const rng = s.rng
  const lang = s.client.type === 'browser' && s.client.b.locale === 'de-DE' ? 'de' : 'en'
  const { text, kind } = benignText(rng, m, lang, codeHeavy)
  const where = rng.weighted([['review', 40], ['support', 35], ['contact', 25]])
  const json = rng.chance(0.5)
  const name = s.name ?? drawName(rng, m)
  if (where === 'review') return { method: 'POST', path: `/api/products/${productSlug(rng)}/reviews`, kind: 'fetch', route: 'api', format: 'json', bodyObj: { rating: rng.int(1, 5), title: text.split(/[.\n!?]/)[0].slice(0, 60), body: text, author: { name: name.full } }, material: kind, formFillMs: formFill(rng, 'other') }
  const bodyObj = where === 'support' ? { subject: rng.pick(['Order problem', 'API question', 'Refund', 'Bug', 'Hello']), message: text, order: `#${rng.int(100000, 999999)}` } : { name: name.full, email: drawEmail(rng, name), message: text }
  return { method: 'POST', path: where === 'support' ? '/support' : '/contact', kind: json ? 'fetch' : 'form', route: 'other', format: json ? 'json' : 'form', bodyObj, material: kind, formFillMs: formFill(rng, 'other') }
}

function address(rng, m) {
  const street = rng.weighted([[() => `${rng.int(1, 220)} ${rng.pick(m.benign.surnames)} Street`, 50], [() => `${rng.int(1, 80)} rue de l'${rng.pick(['Église', 'Abbaye', 'Orme', 'Hôpital', 'Étang'])}`, 20], [() => `${rng.pick(m.benign.surnames)}straße ${rng.int(1, 120)}`, 20], [() => `Flat ${rng.int(1, 40)}, ${rng.pick(m.benign.apostrophe_names)} Court`, 10]])()
  return { line1: street, city: rng.pick(['London', 'Lyon', 'Berlin', 'Paris', 'Leeds', 'Köln', 'Toulouse', 'Dublin']), zip: String(rng.int(10000, 99999)), country: rng.pick(['GB', 'FR', 'DE', 'IE']) }
}

/** A legitimate session's next request, given where it is. Returns a list (a form is a GET then a POST). */
function legitStep(s, m, plan) {
  const rng = s.rng
  const w = [['browse', 50], ['api', 18], ['login', !s.loggedIn && plan.wantsLogin ? 14 : 0], ['signup', plan.wantsSignup && !s.loggedIn ? 12 : 0], ['checkout', s.cart > 0 || s.loggedIn ? 8 : 0], ['text', plan.textRate]]
  const what = s.lastPath == null ? 'browse' : rng.weighted(w) // a visit starts with a page, not a fetch()
  const name = s.name
  if (what === 'browse') return [browse(s, m)]
  if (what === 'api') return [apiCall(s, m)]
  if (what === 'text') { plan.textRate = Math.max(1, plan.textRate * plan.textDecay); return [textPost(s, m, plan.codeHeavy)] }
  if (what === 'login') {
    plan.wantsLogin = false
    const email = s.account?.email ?? drawEmail(rng, name)
    const json = rng.chance(0.5)
    const fill = formFill(rng, 'login')
    return [{ method: 'GET', path: '/login', kind: 'navigate', route: 'login' },
      { method: 'POST', path: json ? '/api/login' : '/login', kind: json ? 'fetch' : 'form', route: 'login', format: json ? 'json' : 'form', bodyObj: { email, password: `${rng.hex(6)}${rng.pick(['!', '#', '?', '%'])}${rng.int(10, 99)}`, ...(rng.chance(0.4) ? { remember: 'on' } : {}) }, email, formFillMs: fill, event: rng.chance(0.85) ? 'login_ok' : null, onAllowed: () => { s.loggedIn = true; s.account ??= makeAccount(rng, name, email) } }]
  }
  if (what === 'signup') {
    plan.wantsSignup = false
    const email = drawEmail(rng, name)
    const json = rng.chance(0.5)
    return [{ method: 'GET', path: '/signup', kind: 'navigate', route: 'signup' },
      { method: 'POST', path: json ? '/api/signup' : '/signup', kind: json ? 'fetch' : 'form', route: 'signup', format: json ? 'json' : 'form', bodyObj: { name: name.full, email, password: `${rng.hex(8)}${rng.int(10, 99)}!`, newsletter: rng.chance(0.3) ? 'yes' : 'no' }, email, formFillMs: formFill(rng, 'signup'), event: rng.chance(0.6) ? 'signup_confirmed' : null, onAllowed: () => { s.loggedIn = true; s.account = { id: `acct-${rng.hex(10)}`, ageDays: 0, verified: false, email } } }]
  }
  // checkout
  s.cart ||= rng.int(15, 240)
  s.payments++
  const json = rng.chance(0.7)
  const addr = address(rng, m)
  return [{ method: 'GET', path: '/checkout', kind: 'navigate', route: 'checkout' },
    { method: 'POST', path: json ? '/api/checkout' : '/checkout', kind: json ? 'fetch' : 'form', route: 'checkout', format: json ? 'json' : 'form', bodyObj: json ? { shipping: { name: name.full, ...addr }, note: rng.chance(0.2) ? benignText(rng, m).text.slice(0, 140) : '', coupon: rng.chance(0.15) ? `SAVE${rng.int(5, 30)}` : '' } : { name: name.full, address: addr.line1, city: addr.city, zip: addr.zip, country: addr.country }, formFillMs: formFill(rng, 'checkout'), event: rng.chance(0.85) ? 'payment_ok' : null, onAllowed: () => { s.cart = 0 } }]
}

function makeAccount(rng, name, email) {
  return { id: `acct-${rng.hex(10)}`, ageDays: Math.round(Math.min(4000, rng.lognormal(220, 1.3))), verified: rng.chance(0.9), email: email ?? drawEmail(rng, name), name }
}

/** One legitimate person's session. `kind`: returning | login | anonymous | deep | signup | newcomer. */
function legitSession(g, rng, { start, client, net, actor, kind, textRate = 2, codeHeavy = false, maxRows }) {
  const m = g.m
  const name = drawName(rng, m)
  const returning = kind === 'returning'
  const account = returning ? makeAccount(rng, name) : null
  const newcomer = kind === 'newcomer'
  const s = new Session(g, rng, {
    start, client, net, actor, name, account,
    preAge: newcomer ? 0 : rng.chance(0.4) ? Math.round(rng.lognormal(240, 1.2)) : 0,
    priorRequests: newcomer ? 0 : rng.chance(0.4) ? rng.int(1, 30) : 0,
    priorPages: 0,
  })
  s.pages = Math.min(s.requests, Math.round(s.requests * 0.7))
  if (kind === 'deep' || newcomer) s.lastPath = rng.weighted([['https://www.google.com/', 50], ['https://www.bing.com/', 8], ['https://duckduckgo.com/', 6], ['https://www.instagram.com/', 8], ['https://t.co/', 5], [null, 23]])
  const plan = { wantsLogin: kind === 'login', wantsSignup: kind === 'signup' || (newcomer && rng.chance(0.3)), textRate, textDecay: textRate > 10 ? 1 : 1 / 3, codeHeavy }
  const n = newcomer ? rng.int(1, 6) : Math.max(1, Math.min(maxRows ?? 60, Math.round(rng.lognormal(7, 0.8))))
  let emitted = 0
  const limitS = newcomer ? rng.int(20, 88) : Infinity
  if (kind === 'deep' || newcomer) {
    // They land on a page deep in the site (a product, a category, a search) from outside.
    const first = rng.chance(0.7) ? { method: 'GET', path: `/products/${productSlug(rng)}`, kind: 'navigate', route: 'other' } : browse(s, m)
    s.emit({ ...first, landing: s.lastPath ? 'cross-site' : 'none' })
    emitted++
  }
  while (emitted < n) {
    for (const r of legitStep(s, m, plan)) {
      if (emitted > 0) s.gap(newcomer ? 7 : 14, newcomer ? 0.6 : 1.0)
      if ((s.t - s.start) / 1000 > limitS) return
      const row = s.emit(r)
      row.onAllowed = r.onAllowed
      emitted++
    }
  }
}

// ------------------------------------------------------------------ attacks

function drawPayload(g, rng) {
  const sources = [...g.m.bySource.keys()]
  const w = sources.map((src) => [src, src.startsWith('crs') ? 30 : src.includes('dirTraversal') ? 4 : src.includes('mod_') ? 1 : 8])
  const src = rng.weighted(w)
  return rng.pick(g.m.bySource.get(src))
}

/** One request carrying `p` at a placement attackers use, with the encoding they use. */
function attackRequest(s, rng, p, { loggedIn }) {
  const placement = rng.weighted(loggedIn ? [['json', 30], ['form', 25], ['query', 20], ['json-nested', 15], ['cookie', 5], ['header', 5]] : PLACEMENTS)
  const encoding = drawEncoding(rng)
  const payload = { text: p.text, family: p.family, source: p.source, ref: p.ref, placement, encoding }
  const base = { payload, labels: { bot: s.client.type !== 'browser', attack: true, abuse: false } }
  switch (placement) {
    case 'query': {
      const [path, param, route] = rng.pick([['/search', 'q', 'other'], ['/api/products', 'sort', 'api'], ['/category/sale', 'page', 'other'], ['/api/stock', 'sku', 'api'], ['/login', 'next', 'login']])
      return { ...base, method: 'GET', path: `${path}?${param}=${encodeFor(rng, p.text, encoding, 'url')}`, kind: route === 'api' ? 'fetch' : 'navigate', route }
    }
    case 'path': return { ...base, method: 'GET', path: `/products/${encodeFor(rng, p.text, encoding, 'url')}`, kind: 'navigate', route: 'other' }
    case 'form': {
      const [path, field, route] = rng.pick([['/login', 'email', 'login'], ['/contact', 'message', 'other'], ['/signup', 'name', 'signup'], ['/checkout', 'address', 'checkout'], ['/support', 'subject', 'other']])
      const bodyObj = { [field]: p.text, ...(route === 'login' ? { password: 'x' } : {}) }
      return { ...base, method: 'POST', path, kind: 'form', route, format: 'form', bodyObj, rawForm: { [field]: encodeFor(rng, p.text, encoding === 'mixed-case' ? 'mixed-case' : encoding, 'url') }, formFillMs: formFill(rng, route) }
    }
    case 'json':
    case 'json-nested': {
      const t = encodeFor(rng, p.text, encoding, 'raw')
      const [path, route] = rng.pick([['/api/search', 'api'], ['/api/login', 'login'], ['/api/checkout', 'checkout'], ['/api/products/1/reviews', 'api'], ['/api/signup', 'signup'], ['/api/account', 'api']])
      const bodyObj = placement === 'json' ? { [rng.pick(['q', 'name', 'comment', 'id', 'filter', 'email'])]: t } : { filter: { [rng.pick(['name', 'category', 'where'])]: t, limit: 20 }, items: [{ id: rng.int(1, 999), note: rng.chance(0.5) ? t : 'ok' }] }
      return { ...base, method: 'POST', path, kind: 'fetch', route, format: 'json', bodyObj, formFillMs: formFill(rng, route) }
    }
    case 'cookie': return { ...base, method: 'GET', path: rng.pick(['/account/orders', '/cart', '/']), kind: 'navigate', route: 'other', cookie: `sid=${rng.hex(32)}; ${rng.pick(['pref', 'lang', 'cart', 'ref'])}=${encodeFor(rng, p.text, encoding, 'url')}` }
    default: {
      const name = rng.pick(s.client.type === 'browser' ? ['referer', 'x-forwarded-for', 'x-api-version', 'x-requested-with'] : ['user-agent', 'referer', 'x-forwarded-for', 'x-api-version'])
      return { ...base, method: 'GET', path: rng.pick(['/', '/api/products', '/search?q=shoes']), kind: 'navigate', route: 'other', headerPayload: [name, name === 'referer' ? `https://${HOST}/${encodeFor(rng, p.text, encoding, 'url')}` : headerSafe(encodeFor(rng, p.text, encoding, 'raw'))] }
    }
  }
}

/** What an HTTP header can carry: no control characters, no surrounding space, Latin-1 (else %-encoded). */
function headerSafe(v) {
  return v.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/[^\x00-\xff]/gu, (c) => encodeURIComponent(c)).trim() || '-'
}

const ALLOWED_LIBS = captureIndex.captures.filter((c) => c.kind !== 'browser' && !/^(lynx|w3m)/.test(c.client))

function captureClient(rng, filter) {
  const pool = ALLOWED_LIBS.filter(filter)
  const c = rng.pick(pool)
  if (c.request === 'plain') return { type: 'capture', file: c.file }
  const stem = c.file.replace(/--(navigate|fetch|form-post)\.json$/, '')
  return { type: 'capture', file: c.file, requests: { navigate: `${stem}--navigate.json`, fetch: `${stem}--fetch.json`, 'form-post': `${stem}--form-post.json` } }
}

function attackSession(g, rng, { start, loggedIn }) {
  const m = g.m
  const clientKind = loggedIn ? rng.weighted([['browser', 80], ['spoofed', 20]]) : rng.weighted([['browser', 40], ['library', 30], ['spoofed', 30]])
  const client = clientKind === 'browser' ? { type: 'browser', b: drawBrowser(rng) }
    : captureClient(rng, (c) => (clientKind === 'spoofed' ? c.variant === 'spoofed-ua' : c.variant === 'default' && c.request === 'plain'))
  const net = drawIp(rng, g.pools, loggedIn ? rng.weighted([['residential', 70], ['mobile', 15], ['vpn', 10], ['hosting', 5]]) : rng.weighted([['residential', 35], ['hosting', 30], ['vpn', 20], ['tor', 8], ['mobile', 7]]))
  const name = drawName(rng, m)
  const s = new Session(g, rng, {
    start, client, net, actor: loggedIn ? 'attacker_logged_in' : 'attacker_anonymous', name,
    account: loggedIn ? makeAccount(rng, name) : null,
    preAge: loggedIn ? Math.round(rng.lognormal(400, 1.0)) : rng.chance(0.5) ? Math.round(rng.lognormal(60, 1.2)) : 0,
    priorRequests: loggedIn ? rng.int(3, 40) : rng.int(0, 6),
  })
  s.pages = Math.round(s.requests * 0.7)
  const n = loggedIn ? rng.int(1, 8) : Math.round(Math.min(40, rng.lognormal(5, 0.9)))
  for (let i = 0; i < n; i++) {
    if (i > 0) s.gap(loggedIn ? 20 : rng.chance(0.5) ? 3 : 12, 1.0)
    s.emit(attackRequest(s, rng, drawPayload(g, rng), { loggedIn }))
  }
}

// ------------------------------------------------------------------ bots

function botSession(g, rng, { start, client, actor }) {
  const m = g.m
  const net = drawIp(rng, g.pools, rng.weighted([['residential', 40], ['hosting', 40], ['mobile', 10], ['vpn', 10]]))
  const name = drawName(rng, m)
  const job = actor === 'crawler' ? 'scrape' : rng.weighted([['scrape', 50], ['signup', 25], ['login', 25]])
  const s = new Session(g, rng, { start, client, net, actor, name, preAge: rng.chance(0.4) ? Math.round(rng.lognormal(120, 1.2)) : 0, priorRequests: rng.chance(0.4) ? rng.int(1, 20) : 0 })
  s.pages = Math.round(s.requests * 0.7)
  const n = Math.max(1, Math.round(Math.min(80, rng.lognormal(job === 'scrape' ? 10 : 6, 0.9))))
  const labels = { bot: true, attack: false, abuse: job !== 'scrape' }
  for (let i = 0; i < n; i++) {
    if (i > 0) s.gap(rng.chance(0.3) ? 2 : 10, 1.0)
    if (job === 'scrape') {
      const r = rng.chance(0.65) ? browse(s, m) : apiCall(s, m, true) // scrapers read
      s.emit({ ...r, labels })
    } else {
      const email = drawBotEmail(rng, g.disposableList, drawName(rng, m))
      const json = rng.chance(0.5)
      if (job === 'signup') {
        s.emit({ method: 'POST', path: json ? '/api/signup' : '/signup', kind: json ? 'fetch' : 'form', route: 'signup', format: json ? 'json' : 'form', bodyObj: { name: drawName(rng, m).full, email, password: `${rng.hex(10)}A1!` }, email, formFillMs: formFill(rng, 'signup'), labels })
      } else {
        s.failedLogins = Math.min(s.failedLogins, 30)
        s.emit({ method: 'POST', path: json ? '/api/login' : '/login', kind: json ? 'fetch' : 'form', route: 'login', format: json ? 'json' : 'form', bodyObj: { email, password: rng.hex(8) }, email, formFillMs: formFill(rng, 'login'), labels, event: rng.chance(0.9) ? 'login_failed' : 'login_ok' })
        s.failedLogins++
      }
    }
  }
}

// ------------------------------------------------------------------ the corpus

export async function generate({ seed = 1, rows: target = 30000 } = {}) {
  const rng = new Rng(seed)
  const g = { rows: [], m: loadMaterial(), pools: new Pools(rng.fork()), disposableList: [...disposable].sort() }
  const rules = await createRules()
  const span = Math.max(30 * 60e3, Math.round((target / 30000) * 6 * 3600e3))
  const startIn = (r) => T0 + Math.floor(r.next() * span)
  const budget = Object.fromEntries(Object.entries(SHARES).map(([k, v]) => [k, Math.round(v * target)]))
  const until = (kind, fn) => { const r = rng.fork(); let made = 0; while (made < budget[kind]) { const b = g.rows.length; fn(r, budget[kind] - made); made += g.rows.length - b } }

  until('shopper', (r) => legitSession(g, r, { start: startIn(r), client: { type: 'browser', b: drawBrowser(r) }, net: drawIp(r, g.pools, r.weighted([['residential', 78], ['mobile', 17], ['hosting', 5]])), actor: 'shopper', kind: r.weighted([['returning', 35], ['login', 20], ['anonymous', 25], ['deep', 10], ['signup', 10]]), textRate: 1.5 }))
  until('writer', (r) => legitSession(g, r, { start: startIn(r), client: { type: 'browser', b: drawBrowser(r) }, net: drawIp(r, g.pools, r.weighted([['residential', 80], ['mobile', 15], ['hosting', 5]])), actor: 'writer', kind: r.weighted([['returning', 50], ['anonymous', 30], ['login', 20]]), textRate: 60, codeHeavy: r.chance(0.45), maxRows: 12 }))
  until('newcomer', (r) => legitSession(g, r, { start: startIn(r), client: { type: 'browser', b: drawBrowser(r) }, net: drawIp(r, g.pools, r.weighted([['residential', 75], ['mobile', 22], ['hosting', 3]])), actor: 'newcomer', kind: 'newcomer' }))
  until('nat', (r, left) => {
    // One office, campus or carrier NAT: many people behind one ip within minutes.
    const kind = r.weighted([['office', 40], ['campus', 30], ['cgnat', 30]])
    const people = kind === 'office' ? Math.min(r.int(20, 50), Math.max(4, Math.round(left / 7))) : Math.min(r.int(70, 160), Math.max(60, Math.round(left / 7)))
    // A campus or a carrier NAT brings a steady stream of people (one every 1.5–3 s); an office a few dozen over a morning.
    const windowMs = kind === 'office' ? r.int(8, 15) * 60e3 : Math.round(people * r.uniform(1.5, 3) * 1000)
    const net = { ...drawIp(r, g.pools, kind === 'cgnat' ? 'mobile' : 'residential'), nat: kind }
    const t0 = startIn(r)
    for (let i = 0; i < people; i++) legitSession(g, r, { start: t0 + Math.floor(r.next() * windowMs), client: { type: 'browser', b: drawBrowser(r) }, net, actor: `nat_${kind}`, kind: r.weighted([['returning', 40], ['login', 20], ['anonymous', 40]]), textRate: 1 })
  })
  let busyExitRows = 0
  until('privacy', (r, left) => {
    const kind = r.weighted([['tor', 30], ['vpn', 40], ['relay', 30]])
    const browser = kind === 'tor' ? 'tor' : r.chance(0.3) ? 'brave' : 'browser'
    if (busyExitRows < 0.3 * budget.privacy && kind !== 'relay') {
      // A busy shared exit (30% of the privacy rows): dozens of people on one address within minutes.
      const net = drawIp(r, g.pools, kind)
      const t0 = startIn(r)
      const before = g.rows.length
      for (let i = 0, n = Math.min(r.int(60, 120), Math.max(30, Math.round((0.3 * budget.privacy - busyExitRows) / 7))), w = r.int(3, 5) * 60e3; i < n; i++) legitSession(g, r, { start: t0 + Math.floor(r.next() * w), client: { type: 'browser', b: drawBrowser(r, browser) }, net, actor: `privacy_${kind}`, kind: r.weighted([['returning', 30], ['anonymous', 50], ['login', 20]]), textRate: 1 })
      busyExitRows += g.rows.length - before
      return
    }
    legitSession(g, r, { start: startIn(r), client: { type: 'browser', b: drawBrowser(r, browser) }, net: drawIp(r, g.pools, kind), actor: `privacy_${kind}`, kind: r.weighted([['returning', 30], ['anonymous', 45], ['login', 15], ['deep', 10]]), textRate: 1 })
  })
  until('attackAnon', (r) => attackSession(g, r, { start: startIn(r), loggedIn: false }))
  until('attackLogged', (r) => attackSession(g, r, { start: startIn(r), loggedIn: true }))

  // Crawlers of crawler-user-agents (every instance; the shop allows search engines, previews
  // and monitors, so the ones the rule allows by name are left out: they are the site's guests).
  const crawlers = []
  for (const entry of require('crawler-user-agents')) {
    for (const ua of entry.instances ?? []) {
      const v = await rules.bot(ua)
      if (v.conclusion === 'ERROR' || v.allowed.length) continue
      crawlers.push({ ua, group: (entry.tags?.[0] ?? 'untagged'), denied: v.conclusion === 'DENY' })
    }
  }
  g.crawlerStats = { instances: crawlers.length, denied: crawlers.filter((c) => c.denied).length }
  // A crawler's own HTTP stack: the header set of a plain library (not one that imitates a browser).
  const libs = ALLOWED_LIBS.filter((c) => c.request === 'plain' && c.variant === 'default' && !getCapture(c.file).imitates).map((c) => c.file)
  until('crawler', (r) => { const c = r.pick(crawlers); botSession(g, r, { start: startIn(r), client: { type: 'crawler', ua: c.ua, file: r.pick(libs), group: c.group }, actor: 'crawler' }) })
  until('bot', (r) => botSession(g, r, { start: startIn(r), client: captureClient(r, () => true), actor: 'bot' }))

  // Time order, then the rules.
  g.rows.sort((a, b) => a.at - b.at)
  const t1 = Date.now()
  const { verdicts, distinct } = await runWaf(g.rows.map((r) => r.waf))
  const wafMs = Date.now() - t1
  applyRateLimit(g.rows)
  const out = []
  for (let i = 0; i < g.rows.length; i++) {
    const row = g.rows[i]
    const ua = row.request.headers['user-agent'] ?? null
    const bot = await rules.bot(ua)
    const email = row.emailRule ? { syntax: await rules.emailSyntax(row.email), cloud: disposable.has(row.email.split('@')[1]) ? ['DISPOSABLE'] : [] } : null
    const decision = decide({ bot, email, shield: verdicts[i], rate: row.rate, ipFlags: row.ipFlags, hasEmailRule: row.emailRule })
    const denied = decision.conclusion === 'DENY'
    const scenario = scenarioOf(row, decision)
    if (!denied && row.onAllowed) row.onAllowed()
    const line = {
      at: row.at, decision, request: row.request, context: row.context, labels: row.labels, scenario,
      source: sourceOf(row, scenario, decision),
      meta: { actor: row.actor, client: row.client, net: row.net, material: row.material, payload: row.payload, rulesDenied: denied ? decision.reason.type : null, crs: verdicts[i].rules },
    }
    out.push(line)
    if (row.event && !denied) out.push({ at: row.at + 400, event: row.event, request: { ip: row.request.ip, email: row.request.email, headers: row.request.headers }, context: { ...(row.context.sessionId ? { sessionId: row.context.sessionId } : {}), ...(row.context.accountId ? { accountId: row.context.accountId } : {}) }, scenario, source: line.source })
  }
  out.sort((a, b) => a.at - b.at)
  rules.save()
  return { lines: out, stats: { wafMs, wafDistinct: distinct, crawlers: g.crawlerStats, userAgents: USER_AGENTS_VERSION, arcjet: rules.arcjetVersion, rate: RATE } }
}

function scenarioOf(row, decision) {
  const denied = decision.conclusion === 'DENY'
  const a = row.actor
  if (a === 'attacker_anonymous' || a === 'attacker_logged_in') return denied ? 'rules_correct_block' : a === 'attacker_logged_in' ? 'missed_attack_logged_in' : 'missed_attack_anonymous'
  if (a === 'crawler' || a === 'bot') return denied ? 'rules_correct_block' : 'missed_bot'
  if (a.startsWith('privacy_')) return 'privacy'
  if (!denied) return a === 'newcomer' ? 'new_visitor' : 'ordinary'
  return 'waf_false_positive'
}

function sourceOf(row, scenario, decision) {
  if (row.payload) return row.payload.source
  if (row.actor === 'crawler') return `crawler-user-agents ${row.client.replace(/^crawler /, '')}`
  if (row.actor === 'bot') return `data/clients ${row.client.replace(/\.json$/, '')}`
  if (row.actor.startsWith('nat_') && (scenario === 'waf_false_positive' && decision.reason.type === 'RATE_LIMIT')) return `nat ${row.actor.slice(4)}`
  if (row.material) return row.material
  if (row.actor.startsWith('nat_')) return `nat ${row.actor.slice(4)}`
  if (row.actor.startsWith('privacy_')) return `${row.actor.slice(8)}: ${row.client}`
  return row.client
}

async function main() {
  const a = parseArgs(process.argv.slice(2))
  const t0 = Date.now()
  const { lines, stats } = await generate(a)
  mkdirSync(dirname(a.out), { recursive: true })
  writeFileSync(a.out, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
  const counts = {}
  for (const l of lines) if (!l.event) counts[l.scenario] = (counts[l.scenario] ?? 0) + 1
  const summary = { out: a.out, seed: a.seed, rows: lines.filter((l) => !l.event).length, events: lines.filter((l) => l.event).length, scenarios: counts, ms: Date.now() - t0, ...stats }
  mkdirSync(join(OUT), { recursive: true })
  writeFileSync(join(OUT, 'generate-summary.json'), JSON.stringify(summary, null, 1))
  console.error(JSON.stringify(summary, null, 1))
}

if (import.meta.url === `file://${process.argv[1]}`) main().catch((e) => { console.error(e); process.exit(1) })
