// The app's own rules, for the examples with no Arcjet (Fastify, Hono): a user-agent blocklist and
// a per-ip fixed window, shaped like a rule decision (Arcjet's JSON shape) so the refiner can
// weigh them. `ip` is the one the server resolved (the socket's peer, or a trusted proxy's word).
const WINDOW_S = 60
const MAX = 10
const windows = new Map() // ip → { start, count }; a real app keeps this in Redis or its cache

/** The rules' decision on a request from `ip` with this User-Agent header (or none). */
export function ownRules(ip, userAgent = '') {
  const scripted = !userAgent || /curl|python-requests|wget|go-http-client|httpclient/i.test(userAgent)
  const now = Date.now() / 1000
  let w = windows.get(ip)
  if (!w || now - w.start >= WINDOW_S) windows.set(ip, (w = { start: now, count: 0 }))
  w.count++
  const results = [
    { state: 'RUN', conclusion: scripted ? 'DENY' : 'ALLOW', reason: { type: 'BOT', denied: scripted ? ['SCRIPT'] : [], allowed: [], verified: false, spoofed: false } },
    { state: 'RUN', conclusion: w.count > MAX ? 'DENY' : 'ALLOW', reason: { type: 'RATE_LIMIT', max: MAX, remaining: Math.max(0, MAX - w.count), window: WINDOW_S, reset: Math.ceil(w.start + WINDOW_S - now) } },
  ]
  const denied = results.find((r) => r.conclusion === 'DENY')
  return { conclusion: denied ? 'DENY' : 'ALLOW', reason: (denied ?? results[1]).reason, results, ip: {} }
}
