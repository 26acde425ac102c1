// The end-to-end suite every framework example runs (examples*.test.mjs), each test on a fresh
// server process on a free localhost port, driven by clients that behave like what they imitate:
// a browser that keeps cookies, reads the page's form and takes a human moment to fill it; python-requests with its exact headers; shoppers behind one
// ip; a card tester. No client ever sends a session, a timing, a cart value or any other verdict
// input: the examples must count those on the server, and one test per example checks that a
// forged one in the body changes nothing.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { before, describe, test } from 'node:test'
import zlib from 'node:zlib'
import { ROOT as root } from './fixtures.mjs'

/** Starts `args` and resolves once it prints its address; `stop()` kills it. */
export function start(args, { env = {}, cwd = root, timeoutMs = 20000 } = {}) {
  const child = spawn(args[0], args.slice(1), { cwd, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines = []
  let output = ''
  let lastOutput = Date.now()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`${args.join(' ')} did not start in ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk) => {
      lastOutput = Date.now()
      output += chunk
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(line)
      const m = /http:\/\/(127\.0\.0\.1|localhost):(\d+)/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve({
          url: `http://127.0.0.1:${m[2]}`,
          lines,
          /** Resolves once the server has printed nothing for 150 ms (its log of the last request is in). */
          settle: async () => {
            while (Date.now() - lastOutput < 150) await sleep(50)
          },
          stop: () => new Promise((done) => (child.exitCode !== null ? done() : (child.once('exit', done), child.kill()))),
        })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`))
    })
  })
}

/** The refined decisions a server logged, in order: `{ route, rules, refined, score, reasons }`. */
export const refinedLog = (server) =>
  server.lines.flatMap((line) => {
    try {
      const o = JSON.parse(line)
      return o && typeof o.route === 'string' && typeof o.refined === 'string' ? [o] : []
    } catch {
      return []
    }
  })

const DECODE = { gzip: zlib.gunzipSync, deflate: zlib.inflateSync, br: zlib.brotliDecompressSync }

/** One HTTP/1.1 request with exactly these headers (fetch would add its own); the body decoded. */
export function send(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const all = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }
    const req = httpRequest(url, { method, headers: all }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const raw = Buffer.concat(chunks)
        const encoding = res.headers['content-encoding']
        const text = (encoding ? DECODE[encoding](raw) : raw).toString()
        resolve({ status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Keeps the cookies a server sets (name and value; an empty value or Max-Age=0 removes one). */
class CookieJar {
  cookies = new Map()
  store(res) {
    for (const line of res.headers['set-cookie'] ?? []) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return res
  }
  header() {
    return this.cookies.size ? { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}
  }
}

const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

/** Chrome 131 on Windows: navigations and form posts with its full header set, cookies kept, redirects followed. */
class Browser {
  jar = new CookieJar()
  location = null
  last = null
  constructor(base) {
    this.base = base
  }
  headers(extra) {
    return {
      Connection: 'keep-alive',
      ...extra.before,
      'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      'sec-ch-ua-mobile': '?0',
      'sec-ch-ua-platform': '"Windows"',
      ...extra.post,
      'Upgrade-Insecure-Requests': '1',
      'User-Agent': CHROME_UA,
      Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
      'Sec-Fetch-Site': this.location ? 'same-origin' : 'none',
      'Sec-Fetch-Mode': 'navigate',
      'Sec-Fetch-User': '?1',
      'Sec-Fetch-Dest': 'document',
      ...(this.location ? { Referer: this.location } : {}),
      'Accept-Encoding': 'gzip, deflate, br, zstd',
      'Accept-Language': 'en-US,en;q=0.9',
      ...this.jar.header(),
    }
  }
  async follow(res, url) {
    this.jar.store(res)
    this.location = url
    this.last = res
    if (res.status === 303 || res.status === 302) return this.navigate(new URL(res.headers.location, url).pathname)
    return res
  }
  /** A link clicked or an address typed. */
  async navigate(path) {
    const url = this.base + path
    return this.follow(await send(url, { headers: this.headers({}) }), url)
  }
  /** Submits a form (urlencoded, as the page's <form method="post"> does). */
  async submit(path, fields) {
    const url = this.base + path
    const post = { Origin: this.base, 'Content-Type': 'application/x-www-form-urlencoded' }
    const res = await send(url, { method: 'POST', headers: this.headers({ before: { 'Cache-Control': 'max-age=0' }, post }), body: new URLSearchParams(fields).toString() })
    return this.follow(res, url)
  }
  /** The form token of the page last shown. */
  formToken() {
    const m = /name="formToken" value="([^"]+)"/.exec(this.last?.text ?? '')
    assert.ok(m, `the page has a form token: ${this.last?.text?.slice(0, 300)}`)
    return m[1]
  }
}

/** python-requests 2.32.3: its exact header set; `session: true` keeps cookies like requests.Session(). */
class PythonRequests {
  jar = new CookieJar()
  constructor(base, { session = false } = {}) {
    Object.assign(this, { base, session })
  }
  /** `data` is sent as a form (requests' data=), `json` as JSON (json=); `headers` are added. */
  async post(path, { data, json, headers = {} }) {
    const body = json ? JSON.stringify(json) : new URLSearchParams(data).toString()
    const res = await send(this.base + path, {
      method: 'POST',
      headers: {
        'User-Agent': 'python-requests/2.32.3',
        'Accept-Encoding': 'gzip, deflate',
        Accept: '*/*',
        Connection: 'keep-alive',
        ...headers,
        ...(this.session ? this.jar.header() : {}),
        'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      },
      body,
    })
    return this.jar.store(res)
  }
}

const humanPause = () => sleep(2000 + Math.random() * 1000)
const DECLINED_CARD = '4000000000000002'
const GOOD_CARD = '4242 4242 4242 4242'
// The seeded customers of examples/shop.mjs.
const CUSTOMERS = ['anna', 'ben', 'chloe', 'david', 'emma', 'farid', 'grace', 'hiro'].map((n) => ({ email: `${n}@example.com`, password: `${n}-password` }))

/** A customer on a browser: the home page, the sign-up page, a human moment, the form with the server's token. */
async function browserSignup(url) {
  const browser = new Browser(url)
  await browser.navigate('/')
  await browser.navigate('/signup')
  await humanPause()
  return browser.submit('/signup', { formToken: browser.formToken(), email: 'lena.hoffmann@gmail.com', password: 'rainy-tuesday-42' })
}

/** A sign-up script: no cookie, no page, no token, a disposable address. */
export const scriptedSignup = (url) => new PythonRequests(url).post('/signup', { data: { email: 'xk3j9q2m@mailinator.com', password: 'Passw0rd!23' } })

/**
 * Customers behind one ip (an office NAT), each on their own browser and session, logging in to
 * their own account and buying, at once: more rule checks than the 10-a-minute window allows.
 */
export function shoppers(url, customers = CUSTOMERS) {
  return Promise.all(
    customers.map(async ({ email, password }, i) => {
      const browser = new Browser(url)
      await sleep(i * 300)
      await browser.navigate('/')
      await browser.navigate('/login')
      await humanPause()
      const login = await browser.submit('/login', { formToken: browser.formToken(), email, password })
      await browser.submit('/cart', { sku: ['mug', 'tee', 'hoodie'][i % 3] })
      await browser.navigate('/checkout')
      await humanPause()
      const checkout = await browser.submit('/checkout', { formToken: browser.formToken(), card: GOOD_CARD })
      return { email, login: login.status, checkout: checkout.status }
    }),
  )
}

/**
 * Card testing: one session fills a cheap cart once and cycles the always-declined card, a new
 * X-Forwarded-For each time (which the servers must ignore). Returns the statuses.
 */
async function cardTesting(url, attempts = 12) {
  const bot = new PythonRequests(url, { session: true })
  const ua = { 'User-Agent': CHROME_UA }
  assert.equal((await bot.post('/cart', { data: { sku: 'sticker' }, headers: ua })).status, 303)
  const statuses = []
  for (let i = 0; i < attempts; i++) {
    const res = await bot.post('/checkout', { data: { card: DECLINED_CARD }, headers: { ...ua, 'X-Forwarded-For': `198.51.100.${i + 1}` } })
    statuses.push(res.status)
  }
  return statuses
}

/**
 * Eleven logins from one socket, each claiming another client in X-Forwarded-For; returns the
 * rules' verdict on the last, which the 10-a-minute window denies only if they count as one ip.
 */
async function forwardedLogins(server) {
  const client = new PythonRequests(server.url)
  for (let i = 1; i <= 11; i++) {
    await client.post('/login', { data: { email: 'nobody@example.org', password: 'guess' }, headers: { 'User-Agent': CHROME_UA, 'X-Forwarded-For': `203.0.113.${i}` } })
  }
  await server.settle()
  return refinedLog(server).at(-1).rules
}

// Human-looking numbers a bot could send, in every shape the old examples read.
const FORGED = { sessionAgeS: 900, sessionRequests: 25, pagesSeen: 9, formFillMs: 21000, accountAgeDays: 400, emailVerified: true, cartValue: 64.5, paymentAttempts: 1, loggedIn: true, failedLogins: 0 }

/** A JSON client that keeps its cookie and signs up, fills a cart and pays; `forged` adds FORGED everywhere. */
async function jsonBot(url, forged) {
  const bot = new PythonRequests(url, { session: true })
  const extra = forged ? { ...FORGED, session: FORGED, context: FORGED, price: 0.5, formToken: `checkout.${Date.now() - 30000}.${'A'.repeat(43)}` } : {}
  const statuses = []
  statuses.push((await bot.post('/signup', { json: { email: 'jordan.miles@gmail.com', password: 'orange-bicycle-7', ...extra } })).status)
  statuses.push((await bot.post('/cart', { json: { sku: 'hoodie', ...extra } })).status)
  statuses.push((await bot.post('/checkout', { json: { card: GOOD_CARD, ...extra } })).status)
  return statuses
}

/** One line per refined request, for the test's diagnostics: `route rules→refined score reasons`. */
export const summary = (server) => refinedLog(server).map((l) => `${l.route} ${l.rules}→${l.refined} ${l.score.toFixed(3)} ${l.reasons.join(',')}`)

/** Runs `fn(server)` on a fresh server from `launch(env)`, then stops it. */
export async function withServer(launch, fn, env = {}) {
  const server = await launch(env)
  try {
    return await fn(server)
  } finally {
    await server.stop()
  }
}

/**
 * The suite for one example: `launch(env)` starts it (start() above) and resolves to the server;
 * `build()`, when given, runs once before (a bundler's production build); `overrules` also checks
 * that the log shows the refiner lifting the rate limit's denials (for an example that logs
 * rules and refined side by side).
 */
export function exampleSuite(example, { launch, build, overrules = false }) {
  describe(`examples/${example}`, () => {
    if (build) before(build)

    test('a browser sign-up (cookies kept, the form filled in 2–3 s) → 200', (t) =>
      withServer(launch, async (s) => {
        const res = await browserSignup(s.url)
        await s.settle()
        t.diagnostic(summary(s).join(' | '))
        assert.equal(res.status, 200, `${res.text}\n${JSON.stringify(refinedLog(s))}`)
      }))

    test('a python-requests sign-up with a disposable address, no cookie, no token → 403', (t) =>
      withServer(launch, async (s) => {
        const res = await scriptedSignup(s.url)
        await s.settle()
        t.diagnostic(summary(s).join(' | '))
        assert.equal(res.status, 403, JSON.stringify(refinedLog(s)))
        assert.ok(s.lines.some((l) => l.includes('"formToken":"missing"')), 'the missing form token is logged')
      }))

    test('eight logged-in shoppers behind one ip, past the 10-a-minute window → all 200', (t) =>
      withServer(launch, async (s) => {
        const results = await shoppers(s.url)
        await s.settle()
        for (const line of summary(s)) t.diagnostic(line)
        const log = refinedLog(s)
        assert.ok(log.some((l) => l.rules === 'DENY'), `the rate limit fired: ${JSON.stringify(log)}`)
        assert.deepEqual(
          results.map((r) => [r.login, r.checkout]),
          results.map(() => [200, 200]),
          `${JSON.stringify(results)}\n${JSON.stringify(log)}`,
        )
        if (overrules) {
          const overruled = log.filter((l) => l.rules === 'DENY' && l.refined === 'ALLOW')
          assert.ok(overruled.length >= 4, 'the log shows the refiner overruling the rate limit')
        }
      }))

    test('card testing: one session cycling a declined card is denied (403) by the 8th try, and from then on', (t) =>
      withServer(launch, async (s) => {
        const statuses = await cardTesting(s.url)
        await s.settle()
        t.diagnostic(`statuses ${statuses}`)
        for (const line of summary(s)) t.diagnostic(line)
        const first = statuses.indexOf(403)
        const detail = `${statuses}\n${JSON.stringify(refinedLog(s).filter((l) => l.route === 'checkout'))}`
        assert.ok(first >= 0 && first < 8, `denied by the 8th try: ${detail}`)
        assert.ok(statuses.slice(first).every((st) => st === 403), `and denied from then on: ${detail}`)
      }))

    test('X-Forwarded-For is ignored unless TRUST_PROXY names the proxy that sent it', async () => {
      assert.equal(await withServer(launch, forwardedLogins), 'DENY', 'by default, eleven logins from one socket are one ip to the rate limit')
      assert.equal(await withServer(launch, forwardedLogins, { TRUST_PROXY: 'loopback' }), 'ALLOW', 'behind a trusted local proxy, each forwarded address is its own client')
    })

    test('a session, timings, cart value or token forged in the body change no verdict', async (t) => {
      // Behavioral memory counts time in whole seconds, so both runs start just after a second
      // begins, on a warmed-up server, and must end within that second to be compared.
      const run = (forged) =>
        withServer(launch, async (s) => {
          for (const path of ['/', '/signup', '/checkout']) await send(s.url + path)
          await sleep(1030 - (Date.now() % 1000))
          const t0 = Date.now()
          const statuses = await jsonBot(s.url, forged)
          const ms = Date.now() - t0
          await s.settle()
          t.diagnostic(`${forged ? 'forged' : 'plain'} in ${ms} ms: ${statuses} | ${summary(s).join(' | ')}`)
          assert.ok(ms < 900, `the run took ${ms} ms, too long to compare with another`)
          return { statuses, log: refinedLog(s), lines: s.lines }
        })
      const plain = await run(false)
      const forged = await run(true)
      assert.deepEqual(forged.statuses, plain.statuses)
      assert.deepEqual(forged.log.map((l) => [l.route, l.rules, l.refined]), plain.log.map((l) => [l.route, l.rules, l.refined]))
      for (const [i, l] of forged.log.entries()) {
        assert.ok(Math.abs(l.score - plain.log[i].score) < 0.01, `${l.route}: score ${l.score} forged, ${plain.log[i].score} plain`)
      }
      assert.ok(forged.lines.some((l) => l.includes('"formToken":"forged"')), 'the forged form token is logged')
    })
  })
}

