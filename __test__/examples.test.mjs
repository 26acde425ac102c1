// The framework examples, each started as its own process on a free localhost port: a browser
// sign-up, a scripted bot sign-up, and bursts from one ip (shoppers behind one NAT; card testing).
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { ROOT as root } from './fixtures.mjs'

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const BROWSER_HEADERS = {
  'user-agent': CHROME,
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'same-origin',
  'sec-ch-ua': '"Chromium";v="131", "Not_A Brand";v="24"',
  referer: 'https://shop.example/',
  cookie: 'sid=abc',
}

const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })

/** Starts `args` and resolves once it prints its address; `stop()` kills it. */
export function start(args, { env = {}, cwd = root, timeoutMs = 20000 } = {}) {
  const child = spawn(args[0], args.slice(1), { cwd, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines = []
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`${args.join(' ')} did not start in ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk) => {
      output += chunk
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(line)
      const m = /http:\/\/(127\.0\.0\.1|localhost):(\d+)/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve({
          url: `http://127.0.0.1:${m[2]}`,
          lines,
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

const post = async (url, headers, body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() }
}
const browserSignup = { email: 'anna.smith@gmail.com', session: { sessionAgeS: 600, sessionRequests: 12, pagesSeen: 6, formFillMs: 21000 } }
const botSignup = { email: 'xk3j9q2m@mailinator.com', session: { sessionAgeS: 2, formFillMs: 350 } }
const shopper = { session: { sessionAgeS: 900, pagesSeen: 8, cartValue: 64.5, paymentAttempts: 1, accountAgeDays: 400, emailVerified: true, loggedIn: true } }
const cardTest = (i) => ({ card: '4000000000000002', session: { sessionAgeS: 4, pagesSeen: 0, cartValue: 1.5, paymentAttempts: i + 3, accountAgeDays: 0, loggedIn: false, formFillMs: 700 } })

/** The scenario every example must pass; returns the statuses for the log. */
export async function exercise(url) {
  const signup = `${url}/signup`
  const checkout = `${url}/checkout`
  const human = await post(signup, BROWSER_HEADERS, browserSignup)
  assert.equal(human.status, 200, `a browser sign-up passes: ${JSON.stringify(human.body)}`)
  const bot = await post(signup, { 'user-agent': 'python-requests/2.31.0' }, botSignup)
  assert.equal(bot.status, 403, 'a scripted sign-up with a disposable address is denied')
  // Fourteen logged-in shoppers behind one office ip: the per-ip limit (10 a minute) fires, the refiner lets them buy.
  const nat = []
  for (let i = 0; i < 14; i++) nat.push((await post(checkout, { ...BROWSER_HEADERS, accept: '*/*' }, shopper)).status)
  assert.deepEqual(nat, Array(14).fill(200), 'shoppers behind one ip are not blocked')
  // Card testing from one ip: tiny carts, rising attempts, no session to speak of.
  // A CHALLENGE is answered 200 with challenge: true (the app shows a CAPTCHA); never a plain pass.
  const cards = []
  for (let i = 0; i < 6; i++) {
    const r = await post(checkout, { 'user-agent': CHROME }, cardTest(i))
    cards.push(r.status === 403 ? 'denied' : r.body.challenge ? 'challenged' : 'passed')
  }
  assert.ok(!cards.includes('passed'), `card testing is stopped: ${cards}`)
  assert.ok(cards.filter((c) => c === 'denied').length >= 4, `most card tests are denied: ${cards}`)
  return { human: human.status, bot: bot.status, nat, cards }
}

describe('framework examples', () => {
  const servers = []
  after(() => Promise.all(servers.map((s) => s.stop())))

  test('express + @arcjet/node (offline client) + refiner', async () => {
    const s = await start([process.execPath, 'examples/express/server.mjs'])
    servers.push(s)
    const r = await exercise(s.url)
    const logged = s.lines.filter((l) => l.startsWith('{"route"')).map((l) => JSON.parse(l))
    const overruled = logged.filter((l) => l.route === 'checkout' && l.rules === 'DENY' && l.refined === 'ALLOW')
    assert.ok(overruled.length >= 4, 'the rate limit denied some shoppers; the log shows the refiner overruling it')
    console.log('express:', JSON.stringify(r))
  })

  test('express in DRY_RUN: answers follow the rules, the log shows both side by side', async () => {
    const s = await start([process.execPath, 'examples/express/server.mjs'], { env: { REFINER_MODE: 'DRY_RUN' } })
    servers.push(s)
    const bot = await post(`${s.url}/signup`, { 'user-agent': 'python-requests/2.31.0' }, botSignup)
    assert.equal(bot.status, 403)
    const nat = []
    for (let i = 0; i < 12; i++) nat.push((await post(`${s.url}/checkout`, BROWSER_HEADERS, shopper)).status)
    assert.deepEqual(nat.slice(10), [403, 403], 'in DRY_RUN the rate limit still blocks')
    const logged = s.lines.filter((l) => l.startsWith('{"route"')).map((l) => JSON.parse(l))
    assert.ok(logged.every((l) => l.mode === 'DRY_RUN'))
    assert.ok(logged.some((l) => l.rules === 'DENY' && l.refined === 'ALLOW'), 'what LIVE would have let through is logged')
  })

  test('next (App Router route handlers) + @arcjet/next (offline client) + refiner', async () => {
    const app = join(root, 'examples', 'next')
    // In a user's app request-refiner comes from npm; here it is this repository.
    mkdirSync(join(app, 'node_modules'), { recursive: true })
    if (!existsSync(join(app, 'node_modules', 'request-refiner'))) symlinkSync('../../..', join(app, 'node_modules', 'request-refiner'))
    const next = join(root, 'node_modules', '.bin', 'next')
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }
    const build = spawnSync(next, ['build', '--webpack'], { cwd: app, env, encoding: 'utf8', timeout: 300000 })
    assert.equal(build.status, 0, `next build failed:\n${build.stdout}\n${build.stderr}`)
    const port = await freePort()
    const s = await start([next, 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env: { NEXT_TELEMETRY_DISABLED: '1' }, timeoutMs: 60000 })
    servers.push(s)
    console.log('next:', JSON.stringify(await exercise(`http://127.0.0.1:${port}`)))
  })

  test('fastify + own rules (no Arcjet) + refiner', async () => {
    const s = await start([process.execPath, 'examples/fastify/server.mjs'])
    servers.push(s)
    console.log('fastify:', JSON.stringify(await exercise(s.url)))
  })
})
