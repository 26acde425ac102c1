// Clients: real browsers (header sets and order from the committed headful captures of Debian's
// chromium and firefox-esr, with user agents from the npm package `user-agents` and the headers
// that depend on the browser's version rewritten to agree with it), and the other captured
// clients of data/clients/ (libraries, headless and automated browsers) replayed as captured.

import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sampler } from './rng.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')
const CLIENTS = join(root, 'data', 'clients')

export const HOST = 'shop.example.com'
const CAPTURE_HOST = '127.0.0.1:47123'

function capture(file) { return JSON.parse(readFileSync(join(CLIENTS, file), 'utf8')) }
export const captureIndex = JSON.parse(readFileSync(join(CLIENTS, 'index.json'), 'utf8'))
const captures = new Map(captureIndex.captures.map((c) => [c.file, capture(c.file)]))
export function getCapture(file) { return captures.get(file) }

const TEMPLATES = {
  chromium: { navigate: getCapture('chromium-headful--navigate.json'), fetch: getCapture('chromium-headful--fetch.json'), form: getCapture('chromium-headful--form-post.json') },
  firefox: { navigate: getCapture('firefox-esr-headful--navigate.json'), fetch: getCapture('firefox-esr-headful--fetch.json'), form: getCapture('firefox-esr-headful--form-post.json') },
}

// ------------------------------------------------------------------ user agents (npm user-agents)

const uaDir = join(root, 'node_modules', 'user-agents')
export const USER_AGENTS_VERSION = JSON.parse(readFileSync(join(uaDir, 'package.json'), 'utf8')).version
const uaData = JSON.parse(readFileSync(join(uaDir, 'dist', 'user-agents.json'), 'utf8'))

function classify(ua) {
  if (/CriOS|FxiOS|EdgiOS|iPhone|iPad|Macintosh.*Version\/[\d.]+ Safari/.test(ua) && !/Chrome\//.test(ua)) return null // WebKit: no real capture here
  if (/Firefox\/(\d+)/.test(ua) && !/Seamonkey/i.test(ua)) return { family: 'firefox', major: +ua.match(/Firefox\/(\d+)/)[1] }
  const m = ua.match(/Chrome\/(\d+)/)
  if (!m || /CriOS/.test(ua)) return null
  if (/Edg\//.test(ua)) return { family: 'edge', major: +ua.match(/Edg\/(\d+)/)[1] }
  if (/OPR\//.test(ua)) return { family: 'opera', major: +m[1], operaMajor: +ua.match(/OPR\/(\d+)/)[1] }
  if (/SamsungBrowser|YaBrowser|UCBrowser|Vivaldi|MiuiBrowser|HeyTap|Quark|wv\)/.test(ua)) return null
  return { family: 'chrome', major: +m[1] }
}

function platformOf(ua) {
  if (/Android/.test(ua)) return 'Android'
  if (/Windows/.test(ua)) return 'Windows'
  if (/Macintosh|Mac OS X/.test(ua)) return 'macOS'
  if (/CrOS/.test(ua)) return 'Chrome OS'
  if (/Linux|X11/.test(ua)) return 'Linux'
  return null
}

/** The user agents of `user-agents` whose browser has a real capture here (Chromium-based and Firefox). */
export const browserAgents = []
export const excludedAgentsWeight = { kept: 0, excluded: 0 }
for (const d of uaData) {
  const c = classify(d.userAgent)
  const platform = platformOf(d.userAgent)
  if (!c || !platform) { excludedAgentsWeight.excluded += d.weight; continue }
  excludedAgentsWeight.kept += d.weight
  browserAgents.push({ ua: d.userAgent, weight: d.weight, platform, mobile: d.deviceCategory === 'mobile', ...c })
}
const drawAgent = sampler(browserAgents, (a) => a.weight)

// Chromium's own GREASE algorithm (components/embedder_support/user_agent_utils.cc), seeded by the
// major version: it gives the capture's `"Not:A-Brand";v="8", "Chromium";v="156"` for 156.
const GREASE_CHARS = [' ', '(', ':', '-', '.', '/', ')', ';', '=', '?', '_']
const GREASE_VERSIONS = ['8', '99', '24']
export function secChUa(major, brand, brandMajor = major) {
  const grease = { b: `Not${GREASE_CHARS[major % 11]}A${GREASE_CHARS[(major + 1) % 11]}Brand`, v: GREASE_VERSIONS[major % 3] }
  const list = [grease, { b: 'Chromium', v: String(major) }]
  if (brand) list.push({ b: brand, v: String(brandMajor) })
  const orders = list.length === 3 ? [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] : [[0, 1], [1, 0]]
  const order = orders[major % orders.length]
  const out = new Array(list.length)
  list.forEach((x, i) => { out[order[i]] = x })
  return out.map((x) => `"${x.b}";v="${x.v}"`).join(', ')
}

const LOCALES = [['en-US', 55], ['en-GB', 10], ['fr-FR', 12], ['de-DE', 12], ['es-ES', 4], ['nl-NL', 3], ['it-IT', 4]]
function acceptLanguage(locale, family) {
  const lang = locale.split('-')[0]
  if (family === 'firefox') return lang === 'en' ? (locale === 'en-US' ? 'en-US,en;q=0.5' : `${locale},en;q=0.5`) : `${lang}-${locale.split('-')[1]},${lang};q=0.8,en-US;q=0.5,en;q=0.3`
  return lang === 'en' ? (locale === 'en-US' ? 'en-US,en;q=0.9' : `${locale},en-US;q=0.9,en;q=0.8`) : `${locale},${lang};q=0.9,en-US;q=0.8,en;q=0.7`
}

/** A person's browser. `kind`: 'browser' (from user-agents), 'brave', 'tor'. */
export function drawBrowser(rng, kind = 'browser') {
  const locale = rng.weighted(LOCALES)
  if (kind === 'tor') {
    // Tor Browser: Firefox ESR's header set, its fixed user agent and en-US language (letterboxed, resistFingerprinting).
    return { family: 'firefox', template: 'firefox', ua: 'Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0', platform: 'Windows', mobile: false, lang: 'en-US,en;q=0.5', locale: 'en-US', source: 'tor-browser (firefox-esr headers)' }
  }
  let a = drawAgent(rng)
  if (kind === 'brave') {
    while (a.family !== 'chrome') a = drawAgent(rng)
    return { family: 'brave', template: 'chromium', ua: a.ua, major: a.major, platform: a.platform, mobile: a.mobile, lang: acceptLanguage(locale, 'chrome'), locale, source: 'brave (chromium headers, Brave brand, Sec-GPC)' }
  }
  return { family: a.family, template: a.family === 'firefox' ? 'firefox' : 'chromium', ua: a.ua, major: a.major, operaMajor: a.operaMajor, platform: a.platform, mobile: a.mobile, lang: acceptLanguage(locale, a.family), locale, source: `user-agents ${a.family} (${a.family === 'firefox' ? 'firefox-esr' : 'chromium'} headers)` }
}

function brandOf(b) {
  if (b.family === 'chrome') return ['Google Chrome', b.major]
  if (b.family === 'edge') return ['Microsoft Edge', b.major]
  if (b.family === 'opera') return ['Opera', b.operaMajor]
  if (b.family === 'brave') return ['Brave', b.major]
  return [null]
}

/**
 * A browser's headers for one request, in the capture's order, names lowercased as Node gives
 * them. `req`: { kind: 'navigate'|'fetch'|'form', method, contentType, bodyLength, referer,
 * site: 'none'|'same-origin'|'cross-site', cookie, http2, proxy: { xff } }.
 */
export function browserHeaders(b, req) {
  const t = TEMPLATES[b.template][req.kind]
  const out = []
  for (const [name, value] of t.headers) {
    const n = name.toLowerCase()
    let v = value
    switch (n) {
      case 'host': v = HOST; break
      case 'connection': if (req.http2) continue; break
      case 'content-length': if (!req.bodyLength) continue; v = String(req.bodyLength); break
      case 'content-type': if (!req.contentType) continue; v = req.contentType; break
      case 'user-agent': v = b.ua; break
      case 'sec-ch-ua': { const [brand, bm] = brandOf(b); v = secChUa(b.major, brand, bm); break }
      case 'sec-ch-ua-mobile': v = b.mobile ? '?1' : '?0'; break
      case 'sec-ch-ua-platform': v = `"${b.platform}"`; break
      case 'accept': if (b.template === 'chromium') v = v.replace('image/jxl,', ''); break
      case 'origin': if (req.method === 'GET') continue; v = `https://${HOST}`; break
      case 'referer': if (!req.referer) continue; v = req.referer; break
      case 'sec-fetch-site': v = req.site ?? v; break
      case 'accept-language': v = b.lang; break
      default: break
    }
    out.push([n, v])
  }
  const at = (pred) => { const i = out.findIndex(([n]) => pred(n)); return i < 0 ? out.length : i }
  const firefoxSlot = () => at((n) => n === 'upgrade-insecure-requests' || n.startsWith('sec-fetch-'))
  if (req.referer && !out.some(([n]) => n === 'referer')) {
    // Where each browser sends Referer on a navigation (the templates' form posts show it).
    out.splice(b.template === 'firefox' ? firefoxSlot() : at((n) => n === 'accept-encoding'), 0, ['referer', req.referer])
  }
  if (b.family === 'brave') out.splice(at((n) => n === 'accept-encoding'), 0, ['sec-gpc', '1'])
  if (req.cookie) {
    if (b.template === 'firefox') out.splice(firefoxSlot(), 0, ['cookie', req.cookie])
    else out.push(['cookie', req.cookie])
  }
  return finish(out, req)
}

/** A captured non-browser client (or automated browser), replayed with the site's host and paths. */
export function captureHeaders(file, req) {
  const c = getCapture(file)
  const out = []
  for (const [name, value] of c.headers) {
    const n = name.toLowerCase()
    let v = value.replaceAll(`http://${CAPTURE_HOST}`, `https://${HOST}`).replaceAll(CAPTURE_HOST, HOST)
    if (n === 'connection' && req.http2) continue
    if (n === 'content-length') { if (!req.bodyLength) continue; v = String(req.bodyLength) }
    if (n === 'content-type') { if (!req.contentType) continue; v = req.contentType }
    if (n === 'referer') { if (!req.referer) continue; v = req.referer }
    if (n === 'origin' && req.method === 'GET') continue
    if (n === 'upgrade' || n === 'http2-settings') continue // h2c upgrade: only over cleartext
    if (n === 'connection' && /upgrade/i.test(v)) v = 'keep-alive'
    out.push([n, v])
  }
  if (req.contentType && !out.some(([n]) => n === 'content-type')) out.push(['content-type', req.contentType])
  if (req.bodyLength && !out.some(([n]) => n === 'content-length')) out.push(['content-length', String(req.bodyLength)])
  if (req.cookie) out.push(['cookie', req.cookie])
  if (req.extra) for (const [k, v] of req.extra) out.push([k, v])
  return finish(out, req)
}

function finish(list, req) {
  if (req.proxy) {
    // Behind the site's reverse proxy: it forwards over HTTP/1.1 with the client's address.
    const i = list.findIndex(([n]) => n === 'connection')
    if (i >= 0) list.splice(i, 1)
    list.push(['x-forwarded-for', req.proxy.xff], ['x-forwarded-proto', 'https'])
  }
  return list
}

export function headerObject(list) {
  const o = {}
  for (const [k, v] of list) o[k] = k in o ? `${o[k]}, ${v}` : v
  return o
}
