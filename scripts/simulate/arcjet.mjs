// Rule decisions as Arcjet makes them. The rules that run locally (bot detection, email syntax,
// sensitive info) are the real SDK's rule objects from `arcjet`, called as `aj.protect()` calls
// them; the rules only Arcjet's cloud decides (shield, rate limits, disposable / free / MX email
// checks, bot verification, ip reputation) follow its documented behavior, with realistic errors.
//
// Each local analysis instantiates a 2 MB WebAssembly module (~3-7 ms), so verdicts are memoized
// per input they are a pure function of: the user agent for bot detection, the body for sensitive
// info, and for email syntax the email's shape (runs of letters → a, of digits → 0, the free
// providers Arcjet knows locally kept as they are), which decides validity, not the cloud's checks.

const silent = { debug() {}, info() {}, warn() {}, error() {} }
const noCache = { async get() { return [undefined, 0] }, set() {} }

/** The local rules a typical shop configures, as in Arcjet's quick starts. */
const RULE_OPTIONS = {
  bot: { mode: 'LIVE', allow: ['CATEGORY:SEARCH_ENGINE', 'CATEGORY:PREVIEW', 'CATEGORY:MONITOR'] },
  email: { mode: 'LIVE', deny: ['DISPOSABLE', 'INVALID', 'NO_MX_RECORDS'] },
  sensitive: { mode: 'LIVE', deny: ['CREDIT_CARD_NUMBER', 'PHONE_NUMBER'] },
}
const RATE_LIMIT = { max: 60, window: 60 }

const emailShape = (email, freeLocal) => {
  const at = email.lastIndexOf('@')
  const domain = at < 0 ? '' : email.slice(at + 1)
  // Runs of letters or digits collapse: syntax depends on which characters, not how many,
  // within the length limits, which are kept as a flag.
  const shape = (s) => s.replace(/[a-z]+/gi, 'a').replace(/[0-9]+/g, '0')
  const long = email.length > 254 || at > 64 || domain.split('.').some((l) => l.length > 63) ? '!' : ''
  return (at < 0 ? shape(email) : `${shape(email.slice(0, at))}@${freeLocal.has(domain) ? domain : shape(domain)}`) + long
}

/** Loads the SDK and returns `decide(sketch, request, rng, pools)`, which gives the decision as Arcjet logs it. */
export async function createArcjet() {
  const { detectBot, sensitiveInfo, validateEmail } = await import('arcjet')
  const rules = {
    bot: detectBot(RULE_OPTIONS.bot)[0],
    email: validateEmail(RULE_OPTIONS.email)[0],
    sensitive: sensitiveInfo(RULE_OPTIONS.sensitive)[0],
  }
  // The free providers the SDK recognizes without the cloud (checked by isFreeEmail in @arcjet/analyze).
  const freeLocal = new Set(['gmail.com', 'yahoo.com', 'hotmail.com', 'aol.com', 'hotmail.co.uk'])
  const memo = { bot: new Map(), email: new Map(), sensitive: new Map() }

  /** Runs one rule as the SDK does: validate, then protect; a throw becomes an ERROR result. */
  async function runLocal(kind, key, { ua, email, body }) {
    const hit = memo[kind].get(key)
    if (hit) return hit
    const context = { key: 'offline', fingerprint: 'fp', cache: noCache, log: silent, characteristics: [], runtime: 'node', getBody: async () => body }
    const details = { ip: '192.0.2.1', method: 'POST', protocol: 'https:', host: 'shop.example', path: '/', headers: new Headers(ua === undefined ? {} : { 'user-agent': ua }), email, cookies: '', query: '', extra: {} }
    let result
    try {
      rules[kind].validate(context, details)
      result = JSON.parse(JSON.stringify(await rules[kind].protect(context, details)))
    } catch (error) {
      result = { state: 'RUN', conclusion: 'ERROR', reason: { type: 'ERROR', message: String(error?.message ?? error) } }
    }
    const { ruleId, fingerprint, ...logged } = result
    memo[kind].set(key, logged)
    return logged
  }

  async function decide(s, request, r, pools) {
    const ua = request.headers['user-agent']
    const sensitive = request.body !== undefined && s.route === 'other'
    const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body)
    const email = request.email !== undefined && s.route === 'signup'
    // In the SDK's priority order; shield and rate limits have no local analysis.
    const order = [...(sensitive ? ['sensitive'] : []), 'shield', 'rate', 'bot', ...(email ? ['email'] : [])]
    const notRun = { state: 'NOT_RUN', conclusion: 'ALLOW', reason: {} }
    const local = {
      sensitive: sensitive ? await runLocal('sensitive', body, { ua, body }) : undefined,
      bot: await runLocal('bot', ua ?? '\0missing', { ua }),
      email: email ? await runLocal('email', emailShape(request.email, freeLocal), { ua, email: request.email }) : undefined,
    }
    // A local DENY ends protect() before the cloud is asked: the rest stays NOT_RUN, no ip details.
    for (let i = 0; i < order.length; i++) {
      const res = local[order[i]]
      if (res?.conclusion === 'DENY') {
        const results = order.map((k, j) => (j <= i ? local[k] ?? notRun : notRun))
        return { conclusion: 'DENY', reason: res.reason, results, ip: {} }
      }
    }
    // The cloud times out now and then; Arcjet fails open with an ERROR decision.
    if (r.chance(0.01)) {
      return { conclusion: 'ERROR', reason: { type: 'ERROR', message: 'deadline exceeded' }, results: order.map((k) => local[k] ?? notRun), ip: {} }
    }
    const cloud = {
      sensitive: local.sensitive,
      shield: shieldResult(r, s),
      rate: rateResult(r, s),
      bot: botResult(r, s, local.bot),
      email: email ? emailResult(r, request.email, local.email, pools) : undefined,
    }
    const results = order.map((k) => cloud[k])
    const denied = results.find((x) => x.conclusion === 'DENY')
    return { conclusion: denied ? 'DENY' : 'ALLOW', reason: denied ? denied.reason : cloud.rate.reason, results, ip: ipDetails(r, s) }
  }

  return { decide }
}

const run = (deny, reason) => ({ state: 'RUN', conclusion: deny ? 'DENY' : 'ALLOW', reason })

/** Shield scores suspicious requests; it catches most probes and trips on some odd honest input. */
function shieldResult(r, s) {
  const p = s.payloadKind ? { xss: 0.85, sqli: 0.8, traversal: 0.9, code: 0.6 }[s.payloadKind] : s.shieldFp ? 0.5 : 0.002
  const triggered = r.chance(p)
  return run(triggered, { type: 'SHIELD', shieldTriggered: triggered })
}

/** A fixed window per ip: shared ips (NAT, offices) run out, distributed attacks do not. */
function rateResult(r, s) {
  const remaining = Math.max(0, RATE_LIMIT.max - s.net.requests)
  return run(remaining === 0, { type: 'RATE_LIMIT', max: RATE_LIMIT.max, remaining, window: RATE_LIMIT.window, reset: r.int(1, RATE_LIMIT.window) })
}

/** The cloud verifies crawler claims by ip: real crawlers are verified, impostors spoofed. */
function botResult(r, s, local) {
  if (local.conclusion === 'ERROR') return local
  // Only search engines publish the ip ranges or reverse DNS that verification needs.
  const claimsSearchEngine = !!local.reason.allowed?.includes('CATEGORY:SEARCH_ENGINE')
  const verified = !!s.verified && claimsSearchEngine
  const spoofed = claimsSearchEngine && !s.verified && r.chance(0.95)
  return run(local.conclusion === 'DENY' || spoofed, { ...local.reason, verified, spoofed })
}

/** Disposable and free domains from Arcjet's lists; MX lookups fail for made-up domains. */
function emailResult(r, email, local, pools) {
  if (local.conclusion === 'ERROR') return local
  const domain = email.slice(email.lastIndexOf('@') + 1)
  const types = new Set(local.reason.emailTypes)
  if (pools.disposableKnown.has(domain)) types.add('DISPOSABLE')
  if (pools.freeKnown.has(domain) || pools.free.includes(domain)) types.add('FREE')
  if (!pools.disposableKnown.has(domain) && /^[a-z0-9]{7}mail\.(com|net|xyz)$/.test(domain) && r.chance(0.6)) types.add('NO_MX_RECORDS')
  const emailTypes = [...types]
  return run(emailTypes.some((t) => RULE_OPTIONS.email.deny.includes(t)), { type: 'EMAIL', emailTypes })
}

/** IP reputation with the misses and false alarms every reputation feed has. */
function ipDetails(r, s) {
  if (s.net.kind === 'private') return {}
  const flag = (truth, hit, falseAlarm) => (truth ? r.chance(hit) : r.chance(falseAlarm))
  return {
    country: r.pick(['US', 'DE', 'FR', 'GB', 'BR', 'IN', 'JP', 'NG', 'VN']),
    isHosting: flag(s.net.hosting, 0.9, 0.01),
    isVpn: flag(s.net.vpn, 0.75, 0.01),
    isProxy: flag(s.net.proxy, 0.6, 0.005),
    isTor: flag(s.net.tor, 0.95, 0),
    isRelay: flag(s.net.relay, 0.9, 0),
    isAbuser: flag(s.net.hosting || s.net.proxy, 0.1, 0.003),
  }
}
