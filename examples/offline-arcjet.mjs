// A stand-in for Arcjet's cloud so the examples run with no key and no network: pass it as
// `client` to arcjet(). Rules that run locally (bot detection, email syntax) are the real SDK's;
// this decides the cloud-only parts the way Arcjet documents them: a fixed window per ip, shield
// (here: never triggered), disposable email domains. With a real ARCJET_KEY, leave `client` out.
import {
  ArcjetAllowDecision, ArcjetDenyDecision, ArcjetEmailReason, ArcjetIpDetails, ArcjetRateLimitReason, ArcjetReason,
  ArcjetRuleResult, ArcjetShieldReason,
} from '@arcjet/protocol'

const DISPOSABLE = new Set(['mailinator.com', 'guerrillamail.com', '10minutemail.com', 'yopmail.com', 'trashmail.com'])

export function offlineClient() {
  const windows = new Map() // `${ip} ${window}` → { start, count }
  const result = (conclusion, reason) => new ArcjetRuleResult({ ruleId: '', fingerprint: '', ttl: 0, state: 'RUN', conclusion, reason })
  return {
    async decide(context, details, rules) {
      const now = Date.now() / 1000
      const results = rules.map((rule) => {
        if (rule.type === 'RATE_LIMIT') {
          const key = `${details.ip} ${rule.window}`
          let w = windows.get(key)
          if (!w || now - w.start >= rule.window) windows.set(key, (w = { start: now, count: 0 }))
          w.count++
          const remaining = Math.max(0, rule.max - w.count)
          const reason = new ArcjetRateLimitReason({ max: rule.max, remaining, window: rule.window, reset: Math.ceil(w.start + rule.window - now) })
          return result(w.count > rule.max ? 'DENY' : 'ALLOW', reason)
        }
        if (rule.type === 'SHIELD') return result('ALLOW', new ArcjetShieldReason({ shieldTriggered: false }))
        if (rule.type === 'EMAIL') {
          const disposable = DISPOSABLE.has(String(details.email ?? '').split('@')[1])
          return result(disposable ? 'DENY' : 'ALLOW', new ArcjetEmailReason({ emailTypes: disposable ? ['DISPOSABLE'] : [] }))
        }
        return result('ALLOW', new ArcjetReason())
      })
      const denied = results.find((r) => r.conclusion === 'DENY')
      const Decision = denied ? ArcjetDenyDecision : ArcjetAllowDecision
      return new Decision({ ttl: 0, reason: denied?.reason ?? new ArcjetReason(), results, ip: new ArcjetIpDetails({}) })
    },
    report() {},
  }
}

/** Arcjet's logger interface, quiet. */
export const quietLog = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * The shop's Arcjet configuration, shared by the Express and Next.js examples: pass the rule
 * functions of your SDK (`@arcjet/node`, `@arcjet/next`…) and give the result to its `arcjet()`.
 * Without ARCJET_KEY it runs offline: the cloud rules are decided locally and, as in
 * development, loopback client addresses are accepted.
 */
export function shopOptions({ shield, detectBot, fixedWindow, validateEmail }) {
  const offline = !process.env.ARCJET_KEY
  if (offline) process.env.ARCJET_ENV ??= 'development'
  return {
    options: {
      key: process.env.ARCJET_KEY ?? 'ajkey_offline_example',
      rules: [shield({ mode: 'LIVE' }), detectBot({ mode: 'LIVE', allow: ['CATEGORY:SEARCH_ENGINE'] }), fixedWindow({ mode: 'LIVE', window: '1m', max: 10 })],
      ...(offline ? { client: offlineClient() } : {}),
      log: quietLog,
    },
    signupRule: validateEmail({ mode: 'LIVE', deny: ['DISPOSABLE', 'INVALID', 'NO_MX_RECORDS'] }),
  }
}
