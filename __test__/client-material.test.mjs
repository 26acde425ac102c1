// The committed captures of real clients (data/clients/, written by scripts/material/capture-clients.mjs)
// are well-formed and say what real clients do. Reads only the committed files and the `arcjet`
// devDependency, so it runs without the browsers and libraries that made them.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createBotVerdicts } from '../scripts/material/arcjet-verdict.mjs'
import { ROOT } from './fixtures.mjs'

const dir = join(ROOT, 'data', 'clients')
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort()
const caps = files.map((f) => ({ file: f, ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }))

const KINDS = ['library', 'cli', 'browser', 'headless-browser', 'automation', 'stealth-automation']
const REQUESTS = { plain: 'GET', navigate: 'GET', 'form-post': 'POST', fetch: 'POST' }
// Clients that send no User-Agent of their own (their spoofed-ua capture has one).
const NO_USER_AGENT = new Set(['node-http', 'php-curl', 'php-file_get_contents', 'superagent'])

const h = (c, name) => c.headers.find(([n]) => n.toLowerCase() === name)?.[1]
const names = (c) => c.headers.map(([n]) => n.toLowerCase())
const secFetch = (c) => c.headers.filter(([n]) => /^sec-fetch-/i.test(n)).map(([n, v]) => [n.toLowerCase(), v])
const plainClient = (c) => (c.kind === 'library' || c.kind === 'cli') && !c.imitates
const chromiumBased = (c) => /chromium/.test(c.client)
const firefox = (c) => /firefox/.test(c.client)

test('there are captures of every kind, and index.json lists exactly the files', () => {
  assert.ok(caps.length >= 60, `only ${caps.length} captures`)
  assert.deepEqual(index.captures.map((c) => c.file), files)
  for (const kind of KINDS) assert.ok(caps.some((c) => c.kind === kind), `no ${kind} capture`)
  for (const f of index.failures) assert.ok(f.client && f.error, JSON.stringify(f))
})

test('each capture is well-formed', () => {
  for (const c of caps) {
    const at = c.file
    for (const key of ['client', 'version', 'kind', 'variant', 'request', 'method', 'path', 'headers', 'userAgent', 'notes', 'arcjet']) assert.ok(key in c, `${at}: no ${key}`)
    assert.ok(KINDS.includes(c.kind), `${at}: kind ${c.kind}`)
    assert.equal(c.method, REQUESTS[c.request], `${at}: ${c.request} by ${c.method}`)
    assert.equal(typeof c.version, 'string')
    assert.match(c.version, /\d/, `${at}: version ${c.version}`)
    assert.ok(Array.isArray(c.headers) && c.headers.length >= 2, at)
    for (const pair of c.headers) assert.ok(pair.length === 2 && pair.every((x) => typeof x === 'string'), `${at}: header ${JSON.stringify(pair)}`)
    assert.equal(c.userAgent, h(c, 'user-agent') ?? null, `${at}: userAgent is not the header's`)
    assert.match(h(c, 'host') ?? '', /^127\.0\.0\.1:\d+$/, `${at}: host`)
    // The run id in the path (and in browsers' Referer) names no client: a model must not learn it.
    assert.match(c.path, /run=[0-9a-f]{10}$/, `${at}: path ${c.path}`)
    if (c.method === 'POST') assert.ok(c.bodyLength > 0 && String(c.bodyLength) === h(c, 'content-length'), `${at}: body ${c.bodyLength}`)
    for (const k of ['strict', 'shop']) assert.ok(['ALLOW', 'DENY', 'ERROR'].includes(c.arcjet[k]?.conclusion), `${at}: arcjet.${k}`)
  }
})

test('every capture has a user agent, except the clients that send none', () => {
  for (const c of caps) {
    const silent = c.variant === 'default' && NO_USER_AGENT.has(c.client)
    if (silent) assert.equal(c.userAgent, null, `${c.file} now sends a user agent: ${c.userAgent}`)
    else assert.ok(c.userAgent, `${c.file} has no user agent`)
  }
  for (const client of NO_USER_AGENT) assert.ok(caps.some((c) => c.client === client), `${client} not captured`)
})

test('a spoofed-ua library capture differs from its default only in the user agent', () => {
  const spoofed = caps.filter((c) => plainClient(c) && c.variant === 'spoofed-ua')
  assert.ok(spoofed.length >= 20, `${spoofed.length} spoofed-ua library captures`)
  for (const c of spoofed) {
    assert.equal(c.userAgent, index.spoofedUserAgent, c.file)
    const base = caps.find((d) => d.client === c.client && d.variant === 'default' && d.request === c.request)
    assert.ok(base, `${c.file} has no default capture`)
    const rest = (x) => x.headers.filter(([n]) => !/^(user-agent|host)$/i.test(n)).map(([n, v]) => `${n}: ${v}`).sort()
    assert.deepEqual(rest(c), rest(base), `${c.file}: more than the user agent changed`)
  }
})

test('libraries and CLIs send no sec-fetch-*, sec-ch-ua or upgrade-insecure-requests (undici: sec-fetch-mode: cors only)', () => {
  for (const c of caps.filter(plainClient)) {
    const sf = secFetch(c)
    if (c.client === 'node-fetch-builtin') assert.deepEqual(sf, [['sec-fetch-mode', 'cors']], c.file)
    else assert.deepEqual(sf, [], c.file)
    for (const n of ['sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'upgrade-insecure-requests', 'origin', 'referer']) assert.ok(!names(c).includes(n), `${c.file} sends ${n}`)
  }
  // The ones that imitate browsers do send them.
  for (const c of caps.filter((c) => c.imitates)) assert.equal(h(c, 'sec-fetch-mode'), 'navigate', c.file)
})

test('real browsers: navigations carry sec-fetch-* (and client hints in chromium), fetches are cors, forms post', () => {
  const browsers = caps.filter((c) => ['browser', 'headless-browser', 'automation', 'stealth-automation'].includes(c.kind))
  assert.ok(browsers.filter((c) => c.request === 'navigate').length >= 8)
  for (const c of browsers) {
    const at = c.file
    assert.equal(h(c, 'accept-encoding'), 'gzip, deflate, br, zstd', at)
    assert.ok(h(c, 'accept-language'), at)
    if (c.request === 'navigate') {
      assert.equal(h(c, 'sec-fetch-mode'), 'navigate', at)
      assert.equal(h(c, 'sec-fetch-dest'), 'document', at)
      assert.equal(h(c, 'sec-fetch-site'), 'none', at)
      assert.equal(h(c, 'sec-fetch-user'), '?1', at)
      assert.equal(h(c, 'upgrade-insecure-requests'), '1', at)
      assert.match(h(c, 'accept'), /^text\/html,/, at)
    } else if (c.request === 'fetch') {
      assert.equal(h(c, 'sec-fetch-mode'), 'cors', at)
      assert.equal(h(c, 'sec-fetch-site'), 'same-origin', at)
      assert.equal(h(c, 'sec-fetch-dest'), 'empty', at)
      assert.equal(h(c, 'sec-fetch-user'), undefined, at)
      assert.equal(h(c, 'content-type'), 'application/json', at)
      assert.ok(h(c, 'origin') && h(c, 'referer'), at)
    } else {
      assert.equal(c.request, 'form-post', at)
      assert.equal(h(c, 'sec-fetch-mode'), 'navigate', at)
      assert.equal(h(c, 'sec-fetch-site'), 'same-origin', at)
      assert.equal(h(c, 'content-type'), 'application/x-www-form-urlencoded', at)
      assert.ok(h(c, 'origin') && h(c, 'referer'), at)
      // A click (real or by CDP/BiDi) activates the page; the headless command-line runs submit by script.
      assert.equal(h(c, 'sec-fetch-user'), c.kind === 'headless-browser' ? undefined : '?1', at)
    }
    if (firefox(c)) assert.ok(!names(c).some((n) => n.startsWith('sec-ch-ua')), `${at}: firefox with client hints`)
  }
  const chromiumNav = browsers.filter((c) => chromiumBased(c) && c.request === 'navigate')
  for (const c of chromiumNav) {
    // puppeteer's page.setUserAgent without metadata makes chromium drop its client hints.
    if (c.client === 'puppeteer-chromium' && c.variant === 'spoofed-ua') assert.equal(h(c, 'sec-ch-ua'), undefined, c.file)
    else {
      assert.match(h(c, 'sec-ch-ua') ?? '', /"Chromium";v="\d+"/, c.file)
      assert.equal(h(c, 'sec-ch-ua-mobile'), '?0', c.file)
    }
  }
  const real = caps.filter((c) => c.kind === 'browser' && chromiumBased(c) && c.request === 'navigate')
  assert.ok(real.length >= 1 && real.every((c) => h(c, 'sec-ch-ua-platform') === '"Linux"' && !/Headless/.test(c.userAgent)))
  for (const c of caps.filter((c) => c.variant === 'default' && /^(chromium-headless|puppeteer-chromium|playwright-chromium)$/.test(c.client))) assert.match(c.userAgent, /HeadlessChrome\//, c.file)
})

test("Arcjet's local rule: the stored verdicts are today's, and it denies curl and python-requests", async () => {
  const { verdict } = await createBotVerdicts()
  for (const c of caps) assert.deepEqual(c.arcjet, await verdict(c.userAgent), `${c.file}: stored verdict is stale`)
  const one = (client, variant = 'default') => caps.find((c) => c.client === client && c.variant === variant)
  for (const client of ['curl', 'python-requests', 'wget', 'python-httpx', 'axios']) {
    for (const k of ['strict', 'shop']) assert.equal(one(client).arcjet[k].conclusion, 'DENY', `${client} ${k}`)
  }
  assert.deepEqual(one('curl').arcjet.strict.denied, ['CURL'])
  assert.deepEqual(one('python-requests').arcjet.strict.denied, ['PYTHON_REQUESTS'])
  assert.equal(one('chromium-headless').arcjet.strict.conclusion, 'DENY')
  // What it lets through: the spoofed user agents, the real browsers, and no user agent at all (ERROR).
  for (const c of caps.filter((c) => c.variant === 'spoofed-ua')) assert.equal(c.arcjet.strict.conclusion, 'ALLOW', c.file)
  for (const c of caps.filter((c) => c.kind === 'browser')) assert.equal(c.arcjet.shop.conclusion, 'ALLOW', c.file)
  for (const c of caps.filter((c) => c.userAgent === null)) assert.equal(c.arcjet.strict.conclusion, 'ERROR', c.file)
})
