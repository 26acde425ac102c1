// Realistic inputs shared by the tests: a browser on a checkout, and a script on a sign-up.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** The repository root, for tests that start scripts and servers from it. */
export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
/** The test build (npm run build:test): fault injection and the test-only exports. */
export const TEST_BUILD = `${ROOT}/target/test-build/refiner.linux-x64-gnu.node`

// Bun and Deno, installed from npm as devDependencies. Their npm launchers are node scripts that
// run the real binary as a child (bun's is replaced by the binary only by its postinstall, which
// the project's ignore-scripts skips, .npmrc); a server started through one outlives a kill of the
// launcher. Their platform packages (@oven/bun-linux-x64…, @deno/linux-x64-glibc…) carry the binaries.
const bin = (name) => join(ROOT, 'node_modules', '.bin', name)
const platformBinary = (scope, name) => {
  const dir = join(ROOT, 'node_modules', scope)
  return (existsSync(dir) && readdirSync(dir).map((p) => join(dir, p, ...(scope === '@oven' ? ['bin'] : []), name)).find((b) => existsSync(b))) || bin(name)
}
/** The bun binary. */
export const BUN = platformBinary('@oven', 'bun')
/** `deno run` with what the addon needs: --allow-ffi for a Node-API addon; its loader reads files and the environment. */
export const DENO_RUN = [platformBinary('@deno', 'deno'), 'run', '--allow-read', '--allow-env', '--allow-ffi', '--allow-sys', '--no-lock']

export const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

export const browserInput = () => ({
  request: {
    ip: '203.0.113.5',
    method: 'POST',
    path: '/checkout',
    headers: {
      'user-agent': CHROME,
      accept: 'text/html,application/xhtml+xml',
      'accept-language': 'en-US,en;q=0.9',
      'accept-encoding': 'gzip, deflate, br',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-site': 'same-origin',
      'sec-ch-ua': '"Chromium";v="131", "Not_A Brand";v="24"',
      referer: 'https://shop.example/cart',
      cookie: 'sid=secret-session-cookie',
    },
  },
  context: { route: 'checkout', sessionAgeS: 900, sessionRequests: 25, pagesSeen: 9, accountAgeDays: 400, emailVerified: true, formFillMs: 30000, cartValue: 84.5, paymentAttempts: 1, loggedIn: true },
})

export const scriptInput = () => ({
  request: { ip: '198.51.100.7', method: 'POST', path: '/signup', email: 'x7k2q9zr4v@mailinator.com', headers: { 'user-agent': 'python-requests/2.31.0', accept: '*/*' } },
  context: { route: 'signup', sessionAgeS: 1, sessionRequests: 0, pagesSeen: 0, formFillMs: 300, accountAgeDays: 0 },
})

export const allowDecision = () => ({
  conclusion: 'ALLOW',
  reason: { type: 'RATE_LIMIT', max: 60, remaining: 55, window: 60, reset: 20 },
  results: [
    { ruleId: '', fingerprint: '', ttl: 0, state: 'RUN', conclusion: 'ALLOW', reason: { type: 'BOT', allowed: [], denied: [], verified: false, spoofed: false } },
    { ruleId: '', fingerprint: '', ttl: 0, state: 'RUN', conclusion: 'ALLOW', reason: { type: 'SHIELD', shieldTriggered: false } },
    { ruleId: '', fingerprint: '', ttl: 0, state: 'RUN', conclusion: 'ALLOW', reason: { type: 'RATE_LIMIT', max: 60, remaining: 55, window: 60, reset: 20 } },
  ],
  ip: { country: 'US', isHosting: false },
})

/** Freezes deeply, so any mutation by the refiner throws in strict mode. */
export function deepFreeze(o) {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}
