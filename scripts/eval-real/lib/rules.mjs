// The rules a typical shop runs, decided the way real rules decide:
//   BOT     Arcjet's real local detectBot (arcjet 1.13, a shop's config: search engines, previews
//           and monitors allowed), through scripts/material/arcjet-verdict.mjs, memoized by UA;
//   EMAIL   Arcjet's real local validateEmail for syntax, and the npm disposable-email-domains
//           list for what Arcjet's cloud calls DISPOSABLE (sign-up only);
//   SHIELD  the OWASP CRS 3.3.4 paranoia-level-1 emulation of waf/crs.py (real PCRE2 and
//           libinjection in a Python venv), run over the whole corpus in two processes;
//   RATE_LIMIT a fixed window per ip, counted over the corpus as it unfolds in time.
// A local DENY (bot, email syntax) ends the decision as in the SDK: the cloud rules are NOT_RUN
// and the decision has no ip details.

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createBotVerdicts } from '../../material/arcjet-verdict.mjs'

const here = dirname(fileURLToPath(import.meta.url))
export const ROOT = join(here, '..', '..', '..')
export const OUT = join(ROOT, 'target', 'eval-real')
const require = createRequire(import.meta.url)

export const RATE = { max: 100, windowS: 60 }

export const disposable = new Set(require('disposable-email-domains'))

// The shop's bot rule (`shop` in scripts/material/arcjet-verdict.mjs: search engines, previews and
// monitors allowed), called offline through that helper. Verdicts are a pure function of the user
// agent, so they are also kept on disk per arcjet version: each new one costs a WebAssembly
// instantiation.
export async function createRules() {
  const { validateEmail } = await import('arcjet')
  const bots = await createBotVerdicts({ configs: ['shop'] })
  const emailRule = validateEmail({ mode: 'LIVE', deny: ['INVALID'] })[0]
  const silent = { debug() {}, info() {}, warn() {}, error() {} }
  const noCache = { async get() { return [undefined, 0] }, set() {} }
  const emailMemo = new Map()
  const cacheFile = join(OUT, 'cache', `bot-verdicts-arcjet-${bots.version}.json`)
  const botMemo = new Map(existsSync(cacheFile) ? Object.entries(JSON.parse(readFileSync(cacheFile, 'utf8'))) : [])
  let dirty = false

  async function bot(ua) {
    const key = ua ?? '\0none'
    if (!botMemo.has(key)) {
      let v
      try {
        v = (await bots.verdict(ua ?? null)).shop
      } catch {
        v = { conclusion: 'ERROR', denied: [], allowed: [] } // an invalid header value: the SDK never sees it
      }
      botMemo.set(key, { conclusion: v.conclusion, denied: v.denied, allowed: v.allowed })
      dirty = true
    }
    return botMemo.get(key)
  }

  function save() {
    if (!dirty) return
    mkdirSync(dirname(cacheFile), { recursive: true })
    writeFileSync(cacheFile, JSON.stringify(Object.fromEntries(botMemo)))
  }

  /** Arcjet's local syntax check, memoized by the address's shape (letters → a, digits → 0). */
  async function emailSyntax(email) {
    const [local = '', domain = ''] = email.split('@')
    const key = local.replace(/[a-z]+/gi, 'a').replace(/[0-9]+/g, '0') + '@' + domain
    if (!emailMemo.has(key)) {
      const context = { key: 'offline', fingerprint: 'fp', cache: noCache, log: silent, characteristics: [], runtime: 'node', getBody: async () => undefined }
      const details = { ip: '192.0.2.1', method: 'POST', protocol: 'https:', host: 'shop.example.com', path: '/signup', headers: new Headers({}), cookies: '', query: '', extra: {}, email }
      try {
        emailRule.validate(context, details)
        const r = await emailRule.protect(context, details)
        emailMemo.set(key, r.reason.emailTypes ?? [])
      } catch {
        emailMemo.set(key, [])
      }
    }
    return emailMemo.get(key)
  }

  return { bot, emailSyntax, save, arcjetVersion: bots.version }
}

/** Runs the CRS emulation over every distinct request; returns verdicts in input order. */
export async function runWaf(requests, { procs = 2 } = {}) {
  const py = join(OUT, 'venv', 'bin', 'python')
  if (!existsSync(py)) throw new Error('target/eval-real/venv is missing: run bash scripts/eval-real/install.sh')
  const tmp = join(OUT, 'tmp')
  mkdirSync(tmp, { recursive: true })
  const keyOf = (r) => JSON.stringify([r.method, r.uri, r.headers, r.body ?? null])
  const distinct = new Map()
  const idx = requests.map((r) => {
    const k = keyOf(r)
    if (!distinct.has(k)) distinct.set(k, { id: distinct.size, ...r })
    return distinct.get(k).id
  })
  const list = [...distinct.values()]
  const parts = Array.from({ length: procs }, () => [])
  list.forEach((r, i) => parts[i % procs].push(JSON.stringify(r)))
  const rules = join(OUT, 'material', 'crs', 'rules')
  const script = join(ROOT, 'scripts', 'eval-real', 'waf', 'crs.py')
  const results = new Array(list.length)
  await Promise.all(parts.map((lines, p) => new Promise((resolve, reject) => {
    const inp = join(tmp, `waf-in-${p}.jsonl`)
    const out = join(tmp, `waf-out-${p}.jsonl`)
    writeFileSync(inp, lines.join('\n') + '\n')
    const child = spawn(py, [script, '--rules', rules, '--in', inp, '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`waf/crs.py exited with ${code}`))
      for (const line of readFileSync(out, 'utf8').split('\n')) {
        if (!line) continue
        const v = JSON.parse(line)
        results[v.id] = v
      }
      resolve()
    })
  })))
  return { verdicts: idx.map((i) => results[i]), distinct: list.length }
}

/** A fixed window per ip over rows sorted by time: marks each row's count and whether it is over. */
export function applyRateLimit(rows) {
  const win = new Map()
  for (const r of rows) {
    const ip = r.ip
    const start = Math.floor(r.at / (RATE.windowS * 1000)) * RATE.windowS * 1000
    let w = win.get(ip)
    if (!w || w.start !== start) { w = { start, n: 0 }; win.set(ip, w) }
    w.n++
    r.rate = { count: w.n, remaining: Math.max(0, RATE.max - w.n), reset: Math.ceil((start + RATE.windowS * 1000 - r.at) / 1000), over: w.n > RATE.max }
  }
}

/** The decision as Arcjet reports it (JSON of the SDK's shape, ip flags as booleans). */
export function decide({ bot, email, shield, rate, ipFlags, hasEmailRule }) {
  const results = []
  const botDeny = bot.conclusion === 'DENY'
  const botResult = { state: 'RUN', conclusion: bot.conclusion === 'ERROR' ? 'ERROR' : bot.conclusion, reason: bot.conclusion === 'ERROR' ? { type: 'ERROR', message: 'requires user-agent header' } : { type: 'BOT', allowed: bot.allowed, denied: bot.denied, verified: false, spoofed: false } }
  results.push(botResult)
  const emailLocalDeny = hasEmailRule && email.syntax.length > 0
  const localDeny = botDeny || emailLocalDeny
  if (hasEmailRule) {
    const types = [...email.syntax, ...(localDeny ? [] : email.cloud)]
    results.push(botDeny ? { state: 'NOT_RUN', conclusion: 'ALLOW', reason: { type: 'EMAIL', emailTypes: [] } }
      : { state: 'RUN', conclusion: types.length ? 'DENY' : 'ALLOW', reason: { type: 'EMAIL', emailTypes: types } })
  }
  if (localDeny) {
    results.push({ state: 'NOT_RUN', conclusion: 'ALLOW', reason: { type: 'SHIELD', shieldTriggered: false } })
    results.push({ state: 'NOT_RUN', conclusion: 'ALLOW', reason: { type: 'RATE_LIMIT', max: RATE.max, remaining: RATE.max, reset: RATE.windowS, window: RATE.windowS } })
  } else {
    results.push({ state: 'RUN', conclusion: shield.blocked ? 'DENY' : 'ALLOW', reason: { type: 'SHIELD', shieldTriggered: shield.blocked } })
    results.push({ state: 'RUN', conclusion: rate.over ? 'DENY' : 'ALLOW', reason: { type: 'RATE_LIMIT', max: RATE.max, remaining: rate.remaining, reset: rate.reset, window: RATE.windowS } })
  }
  const deny = results.find((r) => r.state === 'RUN' && r.conclusion === 'DENY')
  return {
    conclusion: deny ? 'DENY' : 'ALLOW',
    reason: deny ? deny.reason : { type: 'ALLOW' },
    results,
    ip: localDeny ? {} : { ...ipFlags },
  }
}
