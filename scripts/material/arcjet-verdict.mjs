// The verdict of Arcjet's real local bot rule (`detectBot` from the `arcjet` SDK, a devDependency)
// on a user agent, run offline as lib/simulate/arcjet.mjs runs it: the rule's validate(), then its
// protect(), with a context that has no cache and no cloud. Two configurations:
//   strict: allow: []                                                    (every detected bot denied)
//   shop:   allow: ['CATEGORY:SEARCH_ENGINE','CATEGORY:PREVIEW','CATEGORY:MONITOR'] (a typical shop's)
// Each call instantiates the SDK's 2 MB WebAssembly analyzer, so verdicts are memoized by user agent.

export const BOT_CONFIGS = {
  strict: { mode: 'LIVE', allow: [] },
  shop: { mode: 'LIVE', allow: ['CATEGORY:SEARCH_ENGINE', 'CATEGORY:PREVIEW', 'CATEGORY:MONITOR'] },
}

import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const silent = { debug() {}, info() {}, warn() {}, error() {} }
const noCache = { async get() { return [undefined, 0] }, set() {} }

/**
 * Returns `verdict(userAgent | null)` → { strict: {conclusion, denied, allowed}, shop: {...} }.
 * `configs` names the configurations to run (default both): each costs an instantiation per UA.
 */
export async function createBotVerdicts({ configs = Object.keys(BOT_CONFIGS) } = {}) {
  const { detectBot } = await import('arcjet')
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'arcjet', 'package.json')
  const { version } = existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')) : {}
  const rules = Object.fromEntries(configs.map((k) => [k, detectBot(BOT_CONFIGS[k])[0]]))
  const memo = new Map()

  async function one(rule, ua) {
    const context = { key: 'offline', fingerprint: 'fp', cache: noCache, log: silent, characteristics: [], runtime: 'node', getBody: async () => undefined }
    const details = { ip: '192.0.2.1', method: 'GET', protocol: 'https:', host: 'shop.example', path: '/', headers: new Headers(ua == null ? {} : { 'user-agent': ua }), cookies: '', query: '', extra: {} }
    try {
      rule.validate(context, details)
      const r = await rule.protect(context, details)
      return { conclusion: r.conclusion, denied: r.reason.denied ?? [], allowed: r.reason.allowed ?? [] }
    } catch (error) {
      // As in the SDK, a rule that throws yields ERROR, which Arcjet's integrations let through.
      return { conclusion: 'ERROR', denied: [], allowed: [], message: String(error?.message ?? error) }
    }
  }

  async function verdict(ua) {
    const key = ua ?? '\0none'
    if (!memo.has(key)) {
      const out = {}
      for (const [k, rule] of Object.entries(rules)) out[k] = await one(rule, ua)
      memo.set(key, out)
    }
    return structuredClone(memo.get(key))
  }
  return { verdict, version: version ?? 'unknown' }
}
