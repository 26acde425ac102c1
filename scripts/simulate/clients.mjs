// The clients of simulated traffic, from real material: browsers' header sets from the npm package
// header-generator (a Bayesian network fitted to real browser traffic) and from the real captures
// of data/clients/ (Debian chromium and firefox-esr, headful), and scripts' and automation's exact
// requests from the same captures (scripts/material/README.md). A client sends what it really
// sends; nothing is dropped at random, so a header set says what the client is, never the label.
//
// Sources are split by pool: `train` draws browsers from header-generator and scripts from one
// set of captured tools, `eval` draws browsers from the real captures and scripts from the other
// tools, so an evaluation sees clients no training sample came from.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const CLIENTS = join(import.meta.dirname, '..', '..', 'data', 'clients')
export const HOST = 'shop.example'

/** Captured tools each pool's scripts and automation come from (the rest of data/clients). */
const TRAIN_TOOLS = new Set([
  'curl', 'wget', 'python-requests', 'python-httpx', 'python-urllib', 'axios', 'got', 'node-fetch', 'node-fetch-builtin', 'java-httpclient',
  'php-curl', 'ruby-net-http', 'lynx', 'chromium-headless', 'puppeteer-chromium',
])

const captures = readdirSync(CLIENTS)
  .filter((f) => f.endsWith('.json') && f !== 'index.json')
  .map((f) => JSON.parse(readFileSync(join(CLIENTS, f), 'utf8')))

/** The captures of one pool: `browser` templates or `script` clients (library, cli, automation). */
export function capturesOf(pool, role) {
  const browsers = captures.filter((c) => c.kind === 'browser')
  if (role === 'browser') return pool === 'train' ? [] : browsers
  const scripts = captures.filter((c) => c.kind !== 'browser' && c.client !== 'firefox-esr-headful' && c.client !== 'chromium-headful')
  if (pool === 'all') return scripts
  return scripts.filter((c) => (pool === 'train') === TRAIN_TOOLS.has(c.client))
}

/** Library conventions no capture covers (each as its documentation and source code show it), for training only. */
export const LIBRARY_SETS = [
  [['host', HOST], ['user-agent', 'Go-http-client/1.1'], ['accept-encoding', 'gzip']],
  [['host', HOST], ['user-agent', 'okhttp/4.12.0'], ['accept-encoding', 'gzip'], ['connection', 'Keep-Alive']],
  [['user-agent', 'Dart/3.4 (dart:io)'], ['accept-encoding', 'gzip'], ['host', HOST]],
  [['host', HOST], ['user-agent', 'Scrapy/2.11.2 (+https://scrapy.org)'], ['accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'], ['accept-language', 'en'], ['accept-encoding', 'gzip, deflate, br']],
  [['host', HOST], ['user-agent', 'reqwest/0.12'], ['accept', '*/*']],
]

/** Mobile apps' own clients: legitimate traffic on API routes with a library's presentation. */
export const APP_SETS = [
  [['host', HOST], ['user-agent', 'ShopApp/4.2.1 (iPhone; iOS 17.5; Scale/3.00)'], ['accept', 'application/json'], ['accept-language', 'en-US;q=1'], ['accept-encoding', 'gzip, deflate, br']],
  [['host', HOST], ['user-agent', 'okhttp/4.12.0'], ['accept', 'application/json'], ['accept-encoding', 'gzip'], ['connection', 'Keep-Alive']],
  [['host', HOST], ['user-agent', 'Dalvik/2.1.0 (Linux; U; Android 13; SM-S911B Build/TP1A.220624.014)'], ['accept', 'application/json'], ['accept-encoding', 'gzip']],
]

let generator
/** header-generator's navigation header sets, drawn with the simulator's seeded generator. */
function headerGenerator(r) {
  if (!generator) {
    const { HeaderGenerator } = require('header-generator')
    generator = new HeaderGenerator({
      browsers: ['chrome', 'firefox', 'safari', 'edge'],
      devices: ['desktop', 'mobile'],
      operatingSystems: ['windows', 'macos', 'linux', 'android', 'ios'],
      httpVersion: '1',
    })
  }
  // It draws from Math.random: the simulator's generator stands in while it does.
  const random = Math.random
  Math.random = r.u
  try {
    return Object.entries(generator.getHeaders())
  } finally {
    Math.random = random
  }
}

const lower = (pairs) => pairs.map(([n, v]) => [n.toLowerCase(), v])
/** header-generator repeats a header now and then, and a few sets carry another browser's hints. */
const wellFormed = (pairs) => {
  const names = new Set()
  const ua = pairs.find(([n]) => n === 'user-agent')?.[1] ?? ''
  const chromium = /Chrome\/|Edg\//.test(ua) && !/CriOS|FxiOS/.test(ua)
  return pairs.every(([n]) => !names.has(n) && names.add(n)) && (chromium || !pairs.some(([n]) => n.startsWith('sec-ch-ua')))
}

/** A browser's navigation header set: header-generator's (train) or a real capture's with another user agent (eval). */
export function browserBase(r, pools) {
  if (pools.pool === 'train' || pools.browserCaptures.length === 0) {
    for (let i = 0; i < 20; i++) {
      const set = lower(headerGenerator(r))
      if (wellFormed(set)) return set
    }
    throw new Error('header-generator gave no well-formed set in 20 draws')
  }
  // A real capture as the template of its browser family, under a real user agent of that family.
  const ua = r.weighted(pools.browsers, (b) => b.weight).userAgent
  const firefox = /Firefox\//.test(ua)
  const template = pools.browserCaptures.find((c) => c.request === 'navigate' && (c.client.startsWith('firefox') === firefox))
  const version = /Chrome\/(\d+)/.exec(ua)?.[1]
  const platform = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /Mac OS X/.test(ua) ? 'macOS' : /CrOS/.test(ua) ? 'Chrome OS' : 'Linux'
  return lower(template.headers).flatMap(([n, v]) => {
    if (n === 'user-agent') return [[n, ua]]
    if (n.startsWith('sec-ch-ua') && (!version || /CriOS|FxiOS|Version\/[\d.]+ (Mobile\/\w+ )?Safari/.test(ua) || firefox)) return []
    if (n === 'sec-ch-ua') return [[n, `"Chromium";v="${version}", "Not_A Brand";v="24", "Google Chrome";v="${version}"`]]
    if (n === 'sec-ch-ua-mobile') return [[n, /Mobile/.test(ua) ? '?1' : '?0']]
    if (n === 'sec-ch-ua-platform') return [[n, `"${platform}"`]]
    return [[n, v]]
  })
}

const set = (pairs, name, value) => {
  const i = pairs.findIndex(([n]) => n === name)
  if (value === undefined) {
    if (i >= 0) pairs.splice(i, 1)
  } else if (i >= 0) pairs[i] = [name, value]
  else pairs.push([name, value])
}

/**
 * One browser request of `kind` from a navigation set, as the browser sends it: a top-level
 * navigation (`navigate`), a form submitted by navigation (`form-post`), or a script's request
 * (`fetch`), with the host, referer, origin and cookie its situation calls for.
 */
export function browserRequest(base, kind, { site, cookie, lang, contentType }) {
  const h = base.map(([n, v]) => [n, v])
  const chromium = h.some(([n]) => n === 'sec-ch-ua')
  set(h, 'host', HOST)
  if (lang) set(h, 'accept-language', lang)
  if (kind === 'fetch') {
    set(h, 'accept', contentType === 'application/json' ? 'application/json, text/plain, */*' : '*/*')
    set(h, 'upgrade-insecure-requests', undefined)
    set(h, 'sec-fetch-user', undefined)
    set(h, 'sec-fetch-mode', 'cors')
    set(h, 'sec-fetch-dest', 'empty')
    set(h, 'sec-fetch-site', 'same-origin')
    set(h, 'referer', `https://${HOST}/`)
  } else {
    const navSite = kind === 'form-post' ? 'same-origin' : site
    if (h.some(([n]) => n === 'sec-fetch-site')) set(h, 'sec-fetch-site', navSite)
    if (navSite !== 'none') set(h, 'referer', navSite === 'cross-site' ? 'https://www.google.com/' : `https://${HOST}/`)
    if (kind === 'form-post' && chromium) set(h, 'cache-control', 'max-age=0')
  }
  if (contentType) {
    set(h, 'content-type', contentType)
    set(h, 'origin', `https://${HOST}`)
  }
  if (cookie) set(h, 'cookie', cookie)
  return h
}

/** A script's request from its capture (or convention set): its own headers, the site's host. */
export function scriptRequest(pairs, { contentType, cookie, ua } = {}) {
  const h = lower(pairs).filter(([n]) => n !== 'content-length' && !n.startsWith('http2') && n !== 'upgrade')
  set(h, 'host', HOST)
  for (const n of ['origin', 'referer']) if (h.some(([k]) => k === n)) set(h, n, n === 'origin' ? `https://${HOST}` : `https://${HOST}/`)
  if (ua !== undefined) set(h, 'user-agent', ua || undefined)
  if (contentType) set(h, 'content-type', contentType)
  if (cookie) set(h, 'cookie', cookie)
  return h
}

/** Made-up bots no list knows: the kind rules miss. */
export const unknownBotUa = (r) =>
  r.pick([
    () => `${r.pick(['Data', 'Price', 'Market', 'Seo', 'Link', 'Shop', 'Feed'])}${r.pick(['Bot', 'Crawler', 'Spider', 'Scraper', 'Fetcher'])}/${r.int(1, 9)}.${r.int(0, 9)}`,
    () => `Mozilla/5.0 (compatible; ${r.pick(['acme', 'zeta', 'helio', 'nimbus'])}-agent/${r.int(1, 5)}.0)`,
    () => `${r.pick(['monitor', 'checker', 'sync', 'harvest'])}-${r.pick(['client', 'worker', 'job'])}/${r.int(0, 3)}.${r.int(0, 20)}`,
    () => '',
  ])()

/** Loads the browser user agents and captures of one pool. */
export function loadClients(pool) {
  return { pool, browserCaptures: capturesOf(pool, 'browser'), scripts: capturesOf(pool, 'script') }
}
