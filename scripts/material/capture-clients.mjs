// Records the exact requests real HTTP clients send, one JSON file per capture in data/clients/.
//
//   node scripts/material/capture-clients.mjs                 install what is missing, capture every client
//   node scripts/material/capture-clients.mjs --only curl,chromium-headful   just these clients (others' files stay)
//   node scripts/material/capture-clients.mjs --no-install    skip scripts/material/install.sh
//
// Every client talks to scripts/material/capture-server.mjs on 127.0.0.1:47123 (MATERIAL_PORT to
// change; Host, Origin and Referer carry it). Libraries and CLIs fetch /plain once with their own
// headers and once with only their user agent swapped for a desktop Chrome's ("spoofed-ua").
// Browsers load the page, whose script posts JSON with fetch(), then submit its form: by a real
// X click (xdotool under Xvfb) for the headful browsers, by a CDP/BiDi click for automation, by
// script (no user activation) for browsers run headless from their own command line.
// Each capture gets the verdicts of Arcjet's local bot rule on its user agent (arcjet-verdict.mjs).

import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createBotVerdicts } from './arcjet-verdict.mjs'
import { DEFAULT_PORT, startCaptureServer } from './capture-server.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const outDir = join(root, 'data', 'clients')
const mat = join(root, 'target', 'material')
const nodeDir = join(mat, 'node')
const py = join(mat, 'venv', 'bin', 'python')

const args = process.argv.slice(2)
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',')) : null
const verbose = args.includes('--verbose')

/** The desktop Chrome a scraper pretends to be: Windows, and the same major as Debian's chromium, so only the UA differs. */
const chromeMajor = () => /(\d+)\./.exec(sh('chromium', ['--version']))?.[1] ?? '156'
let SPOOF_UA

// ---------------------------------------------------------------------------------------------
// Helpers

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60000, ...opts })
  if (r.error) throw r.error
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
}

/** Runs a client process to completion (bounded); rejects with its output if it fails. */
function run(cmd, argv, { timeout = 60000, cwd = root, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL') } catch {} }, timeout)
    child.on('error', (e) => { clearTimeout(timer); reject(e) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(out.trim())
      else reject(new Error(`${cmd} exited ${code ?? signal}: ${(err || out).trim().slice(-800)}`))
    })
  })
}

/** Starts a long-running process (a browser, Xvfb) in its own process group; returns stop(). */
function start(cmd, argv, { env = {}, cwd = root } = {}) {
  const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let log = ''
  child.stdout.on('data', (d) => (log = (log + d).slice(-4000)))
  child.stderr.on('data', (d) => (log = (log + d).slice(-4000)))
  const exited = new Promise((resolve) => child.on('close', resolve))
  return {
    child,
    log: () => log,
    async stop() {
      try { process.kill(-child.pid, 'SIGTERM') } catch {}
      const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL') } catch {} }, 3000)
      await exited
      clearTimeout(t)
    },
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const firstLine = (s) => s.split('\n')[0].trim()
const pkgVersion = (name) => JSON.parse(readFileSync(join(nodeDir, 'node_modules', name, 'package.json'), 'utf8')).version
const bunBin = () => {
  const dir = join(root, 'node_modules', '@oven')
  return (existsSync(dir) && readdirSync(dir).map((p) => join(dir, p, 'bin', 'bun')).find((b) => existsSync(b))) || join(root, 'node_modules', '.bin', 'bun')
}
const denoBin = join(root, 'node_modules', '.bin', 'deno')

const BROWSER_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--password-store=basic', '--disable-dev-shm-usage']
const tempDirs = []
const tempDir = (prefix) => { const d = mkdtempSync(join(tmpdir(), `material-${prefix}-`)); tempDirs.push(d); return d }

// ---------------------------------------------------------------------------------------------
// Libraries and CLIs: each `request(url, ua?)` makes one GET; `version()` names the version captured.

const pyReq = (code) => async (url, ua) => run(py, ['-c', code, url, ...(ua ? [ua] : [])])
const nodeEval = (code, bin = process.execPath) => async (url, ua) => run(bin, ['--input-type=module', '-e', code, url, ...(ua ? [ua] : [])], { cwd: nodeDir })
const pyVersion = (expr) => () => sh(py, ['-c', `print(${expr})`])

const LIBRARIES = [
  {
    client: 'curl', kind: 'cli', license: 'curl (MIT-like)',
    version: () => /^curl (\S+)/.exec(sh('curl', ['--version']))[1],
    request: (url, ua) => run('curl', ['-sS', '-o', '/dev/null', ...(ua ? ['-A', ua] : []), url]),
  },
  {
    client: 'wget', kind: 'cli', license: 'GPL-3.0',
    version: () => /Wget (\S+)/.exec(sh('wget', ['--version']))[1],
    request: (url, ua) => run('wget', ['-q', '-O', '/dev/null', ...(ua ? [`--user-agent=${ua}`] : []), url]),
  },
  {
    client: 'lynx', kind: 'cli', license: 'GPL-2.0', notes: 'text-mode browser, lynx -dump',
    version: () => /Lynx Version (\S+)/.exec(sh('lynx', ['-version']))[1],
    request: (url, ua) => run('lynx', ['-dump', ...(ua ? [`-useragent=${ua}`] : []), url]),
  },
  {
    client: 'w3m', kind: 'cli', license: 'MIT-like (w3m)', notes: 'text-mode browser, w3m -dump',
    version: () => /w3m version w3m\/(\S+?),/.exec(sh('w3m', ['-version']))[1],
    request: (url, ua) => run('w3m', ['-dump', ...(ua ? ['-o', `user_agent=${ua}`] : []), url]),
  },
  {
    client: 'python-requests', kind: 'library', license: 'Apache-2.0',
    version: pyVersion('__import__("requests").__version__'),
    request: pyReq('import sys, requests\nua = sys.argv[2] if len(sys.argv) > 2 else None\nrequests.get(sys.argv[1], headers={"User-Agent": ua} if ua else None, timeout=10).raise_for_status()'),
  },
  {
    client: 'python-httpx', kind: 'library', license: 'BSD-3-Clause',
    version: pyVersion('__import__("httpx").__version__'),
    request: pyReq('import sys, httpx\nua = sys.argv[2] if len(sys.argv) > 2 else None\nhttpx.get(sys.argv[1], headers={"User-Agent": ua} if ua else None, timeout=10).raise_for_status()'),
  },
  {
    client: 'python-urllib', kind: 'library', license: 'PSF-2.0', notes: 'urllib.request of the Python that runs the venv',
    version: () => sh(py, ['-c', 'import sys; print(sys.version.split()[0])']),
    request: pyReq('import sys, urllib.request\nua = sys.argv[2] if len(sys.argv) > 2 else None\nurllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={"User-Agent": ua} if ua else {}), timeout=10).read()'),
  },
  {
    client: 'python-urllib3', kind: 'library', license: 'MIT',
    version: pyVersion('__import__("urllib3").__version__'),
    request: pyReq('import sys, urllib3\nua = sys.argv[2] if len(sys.argv) > 2 else None\nr = urllib3.request("GET", sys.argv[1], headers={"User-Agent": ua} if ua else None, timeout=10)\nassert r.status == 200'),
  },
  {
    client: 'python-aiohttp', kind: 'library', license: 'Apache-2.0',
    version: pyVersion('__import__("aiohttp").__version__'),
    request: pyReq('import sys, asyncio, aiohttp\nua = sys.argv[2] if len(sys.argv) > 2 else None\nasync def main():\n    async with aiohttp.ClientSession() as s:\n        async with s.get(sys.argv[1], headers={"User-Agent": ua} if ua else None) as r:\n            r.raise_for_status(); await r.read()\nasyncio.run(main())'),
  },
  {
    client: 'python-curl_cffi', kind: 'library', license: 'MIT', imitates: 'browser', noSpoof: true,
    notes: 'curl_cffi impersonate="chrome": libcurl patched to send a Chrome header set (and TLS fingerprint); its user agent is already Chrome\'s',
    version: pyVersion('__import__("curl_cffi").__version__'),
    request: pyReq('import sys\nfrom curl_cffi import requests\nrequests.get(sys.argv[1], impersonate="chrome", timeout=10).raise_for_status()'),
  },
  {
    client: 'node-fetch-builtin', kind: 'library', license: 'MIT', notes: "Node's global fetch (undici bundled with Node)",
    version: () => `node ${process.versions.node}, undici ${process.versions.undici}`,
    request: nodeEval('const [url, ua] = process.argv.slice(1); const r = await fetch(url, { headers: ua ? { "user-agent": ua } : {} }); await r.text(); if (!r.ok) process.exit(1)'),
  },
  {
    client: 'node-http', kind: 'library', license: 'MIT', notes: "Node's http.get with no headers of its own",
    version: () => `node ${process.versions.node}`,
    request: nodeEval('import http from "node:http"; const [url, ua] = process.argv.slice(1); http.get(url, { headers: ua ? { "User-Agent": ua } : {} }, (r) => { r.resume(); r.on("end", () => process.exit(r.statusCode === 200 ? 0 : 1)) })'),
  },
  {
    client: 'axios', kind: 'library', license: 'MIT',
    version: () => pkgVersion('axios'),
    request: nodeEval('import axios from "axios"; const [url, ua] = process.argv.slice(1); await axios.get(url, { headers: ua ? { "User-Agent": ua } : {} })'),
  },
  {
    client: 'got', kind: 'library', license: 'MIT',
    version: () => pkgVersion('got'),
    request: nodeEval('import got from "got"; const [url, ua] = process.argv.slice(1); await got(url, { headers: ua ? { "user-agent": ua } : {} }).text()'),
  },
  {
    client: 'node-fetch', kind: 'library', license: 'MIT',
    version: () => pkgVersion('node-fetch'),
    request: nodeEval('import fetch from "node-fetch"; const [url, ua] = process.argv.slice(1); const r = await fetch(url, { headers: ua ? { "User-Agent": ua } : {} }); await r.text(); if (!r.ok) process.exit(1)'),
  },
  {
    client: 'superagent', kind: 'library', license: 'MIT',
    version: () => pkgVersion('superagent'),
    request: nodeEval('import superagent from "superagent"; const [url, ua] = process.argv.slice(1); const q = superagent.get(url); if (ua) q.set("User-Agent", ua); await q'),
  },
  {
    client: 'got-scraping', kind: 'library', license: 'Apache-2.0', imitates: 'browser', noSpoof: true,
    notes: 'got-scraping draws a browser header set from header-generator at random on each request (no seed): its user agent and headers change from run to run',
    version: () => pkgVersion('got-scraping'),
    request: nodeEval('import { gotScraping } from "got-scraping"; const [url] = process.argv.slice(1); await gotScraping({ url, http2: false })'),
  },
  {
    client: 'bun-fetch', kind: 'library', license: 'MIT',
    version: () => `bun ${sh(bunBin(), ['--version'])}`,
    request: (url, ua) => run(bunBin(), ['-e', 'const [url, ua] = process.argv.slice(-2); const r = await fetch(url, { headers: ua && ua !== url ? { "user-agent": ua } : {} }); await r.text()', url, ua ?? url]),
  },
  {
    client: 'deno-fetch', kind: 'library', license: 'MIT',
    version: () => firstLine(sh(denoBin, ['--version'])).replace(/ \(.*/, ''),
    request: (url, ua) => run(denoBin, ['eval', 'const [url, ua] = Deno.args; const r = await fetch(url, { headers: ua ? { "user-agent": ua } : {} }); await r.text()', url, ...(ua ? [ua] : [])], { env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } }),
  },
  {
    client: 'java-httpclient', kind: 'library', license: 'GPL-2.0 with Classpath Exception', notes: 'java.net.http.HttpClient with its defaults (prefers HTTP/2, so over http:// it asks for an h2c upgrade)',
    version: () => /version "([^"]+)"/.exec(sh('java', ['-version']))[1],
    request: (url, ua) => run('java', [join(here, 'clients', 'JavaHttpClient.java'), url, ...(ua ? [ua] : [])], { timeout: 120000 }),
  },
  {
    client: 'php-curl', kind: 'library', license: 'PHP-3.01', notes: "PHP's curl extension; libcurl sends no User-Agent unless CURLOPT_USERAGENT is set",
    version: () => sh('php', ['-r', 'echo PHP_VERSION, " libcurl ", curl_version()["version"];']),
    request: (url, ua) => run('php', ['-r', '$c = curl_init($argv[1]); curl_setopt($c, CURLOPT_RETURNTRANSFER, true); if (isset($argv[2])) curl_setopt($c, CURLOPT_USERAGENT, $argv[2]); if (curl_exec($c) === false) exit(1);', url, ...(ua ? [ua] : [])]),
  },
  {
    client: 'php-file_get_contents', kind: 'library', license: 'PHP-3.01', notes: "PHP's http:// stream wrapper; sends no User-Agent unless the user_agent ini setting or context option is set (spoofed-ua uses the context option)",
    version: () => sh('php', ['-r', 'echo PHP_VERSION;']),
    request: (url, ua) => run('php', ['-r', '$o = isset($argv[2]) ? ["http" => ["user_agent" => $argv[2]]] : []; if (file_get_contents($argv[1], false, stream_context_create($o)) === false) exit(1);', url, ...(ua ? [ua] : [])]),
  },
  {
    client: 'ruby-net-http', kind: 'library', license: 'Ruby / BSD-2-Clause',
    version: () => sh('ruby', ['-rnet/http', '-e', 'print RUBY_VERSION, " net-http ", Net::HTTP::VERSION']),
    request: (url, ua) => run('ruby', ['-rnet/http', '-e', 'h = ARGV[1] ? { "User-Agent" => ARGV[1] } : {}; r = Net::HTTP.get_response(URI(ARGV[0]), h); exit(r.code == "200" ? 0 : 1)', url, ...(ua ? [ua] : [])]),
  },
  {
    client: 'perl-lwp', kind: 'library', license: 'Artistic-1.0 / GPL-1.0+',
    version: () => sh('perl', ['-MLWP::UserAgent', '-e', 'print $LWP::UserAgent::VERSION']),
    request: (url, ua) => run('perl', ['-MLWP::UserAgent', '-e', 'my $ua = LWP::UserAgent->new; $ua->agent($ARGV[1]) if defined $ARGV[1]; exit($ua->get($ARGV[0])->is_success ? 0 : 1)', url, ...(ua ? [ua] : [])]),
  },
]

// ---------------------------------------------------------------------------------------------
// Browsers. Each `drive(ctx)` makes the browser load `ctx.pageUrl` and then submit the form; the
// server's records for the run give the navigate, fetch and form-post requests.

let xvfb = null
let xdisplay = null
async function display() {
  if (xvfb) return xdisplay
  // The first display number no other X server holds.
  let n = 99
  while (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) n++
  xdisplay = `:${n}`
  xvfb = start('Xvfb', [xdisplay, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'])
  await sleep(1000)
  return xdisplay
}

/** A real click in the middle of the screen, where the page's full-window submit button is. */
async function xclick(disp) {
  await run('xdotool', ['mousemove', '640', '420', 'click', '1'], { env: { DISPLAY: disp } })
}

/** Firefox profile prefs that keep a fresh profile from opening first-run pages or calling home. */
function firefoxProfile() {
  const dir = tempDir('firefox')
  const prefs = {
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'trailhead.firstrun.didSeeAboutWelcome': true,
    'app.update.enabled': false,
    'app.normandy.enabled': false,
    'browser.safebrowsing.update.enabled': false,
    'browser.safebrowsing.downloads.remote.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'extensions.update.enabled': false,
    'browser.newtabpage.enabled': false,
    'browser.startup.page': 0,
    'browser.tabs.warnOnClose': false,
    'browser.sessionstore.resume_from_crash': false,
  }
  writeFileSync(join(dir, 'user.js'), Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n') + '\n')
  return dir
}

const chromiumVersion = () => /Chromium (\S+)/.exec(sh('chromium', ['--version']))[1]
const firefoxVersion = () => /Firefox (\S+)/.exec(sh('firefox-esr', ['--version']))[1]

/** Launches a browser from its own command line on the page, waits for the fetch, then clicks (headful) or lets the page submit itself. */
function commandLineBrowser({ bin, argv, env = {}, headful }) {
  return async ({ pageUrl, server, runId }) => {
    const disp = headful ? await display() : null
    if (!headful) server.autoSubmit.add(runId)
    const proc = start(bin, [...argv(), pageUrl], { env: { ...env, ...(disp ? { DISPLAY: disp } : {}) } })
    try {
      const fetched = await server.waitFor((r) => r.run === runId && r.route === '/api/signup', 30000)
      if (!fetched) throw new Error(`no fetch from the page; browser log: ${proc.log().slice(-600)}`)
      if (headful) {
        await sleep(800)
        await xclick(disp)
      }
      const posted = await server.waitFor((r) => r.run === runId && r.route === '/submit', 15000)
      if (!posted) throw new Error(`no form post; browser log: ${proc.log().slice(-600)}`)
      await sleep(300)
    } finally {
      await proc.stop()
    }
  }
}

/** puppeteer-core (or puppeteer-extra) on Debian's chromium or firefox-esr; never downloads a browser. */
function puppeteerBrowser({ stealth = false, browser = 'chrome', spoofUa = false }) {
  return async ({ pageUrl, server, runId }) => {
    const req = (await import('node:module')).createRequire(join(nodeDir, 'package.json'))
    let puppeteer = req('puppeteer-core')
    if (stealth) {
      const { addExtra } = req('puppeteer-extra')
      puppeteer = addExtra(puppeteer)
      puppeteer.use(req('puppeteer-extra-plugin-stealth')())
    }
    const userDataDir = browser === 'firefox' ? firefoxProfile() : tempDir('puppeteer')
    const b = await puppeteer.launch({
      browser,
      executablePath: browser === 'firefox' ? '/usr/bin/firefox-esr' : '/usr/bin/chromium',
      headless: true,
      userDataDir,
      args: browser === 'firefox' ? [] : [...BROWSER_FLAGS],
      timeout: 60000,
    })
    try {
      const page = await b.newPage()
      if (spoofUa) await page.setUserAgent(SPOOF_UA)
      await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 })
      const fetched = await server.waitFor((r) => r.run === runId && r.route === '/api/signup', 15000)
      if (!fetched) throw new Error('no fetch from the page')
      await Promise.all([page.waitForNavigation({ timeout: 15000 }), page.click('#go')])
      if (!(await server.waitFor((r) => r.run === runId && r.route === '/submit', 5000))) throw new Error('no form post')
    } finally {
      await b.close().catch(() => {})
    }
  }
}

/** playwright-core with Debian's chromium (or firefox-esr, which playwright's patched-firefox protocol does not speak). */
function playwrightBrowser({ browser = 'chromium' }) {
  return async ({ pageUrl, server, runId }) => {
    const req = (await import('node:module')).createRequire(join(nodeDir, 'package.json'))
    const pw = req('playwright-core')
    const b = await pw[browser].launch({
      executablePath: browser === 'firefox' ? '/usr/bin/firefox-esr' : '/usr/bin/chromium',
      headless: true,
      args: browser === 'firefox' ? [] : [...BROWSER_FLAGS],
      timeout: 30000,
    })
    try {
      const page = await b.newPage()
      await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 })
      if (!(await server.waitFor((r) => r.run === runId && r.route === '/api/signup', 15000))) throw new Error('no fetch from the page')
      await Promise.all([page.waitForURL(/\/submit/, { timeout: 15000 }), page.click('#go')])
      if (!(await server.waitFor((r) => r.run === runId && r.route === '/submit', 5000))) throw new Error('no form post')
    } finally {
      await b.close().catch(() => {})
    }
  }
}

const chromiumArgv = (extra = []) => () => [...BROWSER_FLAGS, `--user-data-dir=${tempDir('chromium')}`, ...extra]

const BROWSERS = [
  {
    client: 'chromium-headful', kind: 'browser', variant: 'default', license: 'BSD-3-Clause (Chromium)',
    notes: "Debian's chromium with a window on Xvfb, started from its command line with no automation at all; the form is submitted by a real X click (xdotool), so the POST navigation has user activation",
    version: chromiumVersion,
    drive: commandLineBrowser({ bin: 'chromium', argv: chromiumArgv(['--window-size=1280,800', '--window-position=0,0']), headful: true }),
  },
  {
    client: 'firefox-esr-headful', kind: 'browser', variant: 'default', license: 'MPL-2.0',
    notes: "Debian's firefox-esr with a window on Xvfb and a fresh profile, started from its command line with no automation; the form is submitted by a real X click (xdotool)",
    version: firefoxVersion,
    drive: commandLineBrowser({ bin: 'firefox-esr', argv: () => ['--no-remote', '--new-instance', '--profile', firefoxProfile(), '--width', '1280', '--height', '800'], headful: true, env: { MOZ_CRASHREPORTER_DISABLE: '1' } }),
  },
  {
    client: 'chromium-headless', kind: 'headless-browser', variant: 'default', license: 'BSD-3-Clause (Chromium)',
    notes: "chromium --headless=new from its command line (--dump-dom), no automation protocol; the page submits its form by script (no user activation, so no sec-fetch-user on the POST)",
    version: chromiumVersion,
    drive: commandLineBrowser({ bin: 'chromium', argv: chromiumArgv(['--headless=new', '--dump-dom', '--virtual-time-budget=5000']) }),
  },
  {
    client: 'chromium-headless', kind: 'headless-browser', variant: 'spoofed-ua', license: 'BSD-3-Clause (Chromium)',
    notes: 'as chromium-headless, with --user-agent=<Windows Chrome UA>: the UA says Windows Chrome, the client hints still say Linux Chromium',
    version: chromiumVersion,
    drive: commandLineBrowser({ bin: 'chromium', argv: () => [...chromiumArgv(['--headless=new', '--dump-dom', '--virtual-time-budget=5000'])(), `--user-agent=${SPOOF_UA}`] }),
  },
  {
    client: 'firefox-esr-headless', kind: 'headless-browser', variant: 'default', license: 'MPL-2.0',
    notes: 'firefox-esr --headless from its command line with a fresh profile, no automation; the page submits its form by script',
    version: firefoxVersion,
    drive: commandLineBrowser({ bin: 'firefox-esr', argv: () => ['--headless', '--no-remote', '--new-instance', '--profile', firefoxProfile()], env: { MOZ_CRASHREPORTER_DISABLE: '1' } }),
  },
  {
    client: 'puppeteer-chromium', kind: 'automation', variant: 'default', license: 'Apache-2.0 (puppeteer-core)',
    notes: 'puppeteer-core driving Debian chromium in new headless mode (CDP); the form is submitted by page.click',
    version: () => `puppeteer-core ${pkgVersion('puppeteer-core')}, chromium ${chromiumVersion()}`,
    drive: puppeteerBrowser({}),
  },
  {
    client: 'puppeteer-chromium', kind: 'automation', variant: 'spoofed-ua', license: 'Apache-2.0 (puppeteer-core)',
    notes: 'as puppeteer-chromium, with page.setUserAgent(<Windows Chrome UA>) and no user agent metadata',
    version: () => `puppeteer-core ${pkgVersion('puppeteer-core')}, chromium ${chromiumVersion()}`,
    drive: puppeteerBrowser({ spoofUa: true }),
  },
  {
    client: 'puppeteer-extra-stealth-chromium', kind: 'stealth-automation', variant: 'default', license: 'MIT (puppeteer-extra), Apache-2.0 (puppeteer-core)',
    notes: 'puppeteer-extra with puppeteer-extra-plugin-stealth (all evasions) driving Debian chromium in new headless mode',
    version: () => `puppeteer-extra-plugin-stealth ${pkgVersion('puppeteer-extra-plugin-stealth')}, puppeteer-core ${pkgVersion('puppeteer-core')}, chromium ${chromiumVersion()}`,
    drive: puppeteerBrowser({ stealth: true }),
  },
  {
    client: 'playwright-chromium', kind: 'automation', variant: 'default', license: 'Apache-2.0 (playwright-core)',
    notes: 'playwright-core driving Debian chromium headless (executablePath /usr/bin/chromium)',
    version: () => `playwright-core ${pkgVersion('playwright-core')}, chromium ${chromiumVersion()}`,
    drive: playwrightBrowser({}),
  },
  {
    client: 'puppeteer-firefox', kind: 'automation', variant: 'default', license: 'Apache-2.0 (puppeteer-core)',
    notes: 'puppeteer-core driving Debian firefox-esr headless over WebDriver BiDi',
    version: () => `puppeteer-core ${pkgVersion('puppeteer-core')}, firefox ${firefoxVersion()}`,
    drive: puppeteerBrowser({ browser: 'firefox' }),
  },
  {
    client: 'playwright-firefox', kind: 'automation', variant: 'default', license: 'Apache-2.0 (playwright-core)',
    notes: "playwright-core's firefox with Debian's firefox-esr",
    why: "playwright drives Firefox over its own Juggler protocol (-juggler-pipe), which only its patched Firefox builds have; a stock firefox-esr ignores the flag and exits, and playwright's own build is a download this machine cannot make (puppeteer-firefox drives the same binary over WebDriver BiDi instead)",
    version: () => `playwright-core ${pkgVersion('playwright-core')}, firefox ${firefoxVersion()}`,
    drive: playwrightBrowser({ browser: 'firefox' }),
  },
]

// ---------------------------------------------------------------------------------------------

const headerValue = (headers, name) => headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? null
const fileName = (c) => `${c.client}${c.variant === 'default' ? '' : `--${c.variant}`}--${c.request}.json`

function record(meta, rec, request, verdicts) {
  return {
    client: meta.client,
    version: meta.version,
    kind: meta.kind,
    variant: meta.variant,
    ...(meta.imitates ? { imitates: meta.imitates } : {}),
    request,
    method: rec.method,
    path: rec.path,
    httpVersion: rec.httpVersion,
    headers: rec.headers,
    bodyLength: rec.bodyLength,
    userAgent: headerValue(rec.headers, 'user-agent'),
    license: meta.license,
    notes: meta.notes ?? '',
    arcjet: verdicts,
  }
}

async function main() {
  // Browsers take Accept-Language from the locale: the same one on every machine.
  Object.assign(process.env, { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' })
  delete process.env.LANGUAGE
  if (!args.includes('--no-install')) {
    const r = spawnSync('bash', [join(here, 'install.sh')], { stdio: 'inherit' })
    if (r.status !== 0) throw new Error('scripts/material/install.sh failed')
  }
  SPOOF_UA = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chromeMajor()}.0.0.0 Safari/537.36`
  const { verdict, version: arcjetVersion } = await createBotVerdicts()
  const port = Number(process.env.MATERIAL_PORT ?? DEFAULT_PORT)
  const server = await startCaptureServer({ port })
  mkdirSync(outDir, { recursive: true })
  const wanted = (c) => !only || only.has(c.client) || only.has(`${c.client}--${c.variant}`)
  const written = []
  const failures = []
  const runIds = new Set()

  async function capture(meta, go, requests) {
    const name = `${meta.client}--${meta.variant}`
    if (runIds.has(name)) throw new Error(`duplicate run ${name}`)
    runIds.add(name)
    // The run id shows in paths and in the Referer of browsers' requests: opaque, so that it names no client.
    const runId = createHash('sha256').update(name).digest('hex').slice(0, 10)
    const t0 = Date.now()
    try {
      meta.version = meta.version()
      await go(runId)
      const got = []
      for (const [request, pred] of requests) {
        const rec = server.requests.find((r) => r.run === runId && pred(r))
        if (!rec) throw new Error(`no ${request} request recorded`)
        got.push(record(meta, rec, request, await verdict(headerValue(rec.headers, 'user-agent'))))
      }
      for (const c of got) {
        writeFileSync(join(outDir, fileName(c)), JSON.stringify(c, null, 2) + '\n')
        written.push(fileName(c))
      }
      console.error(`ok   ${name} (${meta.version}) ${got.map((c) => c.request).join(', ')} in ${Date.now() - t0} ms`)
    } catch (e) {
      failures.push({ client: meta.client, variant: meta.variant, kind: meta.kind, error: String(e?.message ?? e).replace(/\/tmp\/[\w.-]+/g, '<tmp>').split('\n').slice(0, 4).join(' | ').slice(0, 600), ...(meta.why ? { why: meta.why } : {}) })
      console.error(`FAIL ${name}: ${failures.at(-1).error}`)
    }
  }

  for (const lib of LIBRARIES) {
    for (const variant of lib.noSpoof ? ['default'] : ['default', 'spoofed-ua']) {
      const meta = { ...lib, variant, notes: [lib.notes, variant === 'spoofed-ua' ? "only the user agent is changed (to a Windows Chrome's); the rest is the client's own header set" : ''].filter(Boolean).join('; ') }
      if (!wanted(meta)) continue
      await capture(meta, (runId) => lib.request(`${server.url}/plain?run=${encodeURIComponent(runId)}`, variant === 'spoofed-ua' ? SPOOF_UA : undefined), [['plain', (r) => r.route === '/plain']])
    }
  }
  for (const b of BROWSERS) {
    const meta = { ...b }
    if (!wanted(meta)) continue
    await capture(meta, (runId) => b.drive({ pageUrl: `${server.url}/?run=${encodeURIComponent(runId)}`, server, runId }), [
      ['navigate', (r) => r.route === '/' && r.method === 'GET'],
      ['fetch', (r) => r.route === '/api/signup'],
      ['form-post', (r) => r.route === '/submit'],
    ])
  }
  await server.close()
  if (xvfb) await xvfb.stop()
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true })

  // Files of clients run this time are replaced; on a full run, files no client wrote go.
  const ranPrefixes = [...runIds].map((id) => id.replace(/--default$/, ''))
  for (const f of readdirSync(outDir)) {
    if (!f.endsWith('.json') || f === 'index.json' || written.includes(f)) continue
    const stale = only ? ranPrefixes.some((p) => f.startsWith(`${p}--`) && !f.slice(p.length + 2).includes('--')) : true
    if (stale) rmSync(join(outDir, f))
  }
  // index.json: what is there, and what failed on the last run that tried it.
  const indexPath = join(outDir, 'index.json')
  const previous = existsSync(indexPath) ? JSON.parse(readFileSync(indexPath, 'utf8')) : { failures: [] }
  const failed = new Map((only ? previous.failures.filter((f) => !runIds.has(`${f.client}--${f.variant}`)) : []).concat(failures).map((f) => [`${f.client}--${f.variant}`, f]))
  const captures = readdirSync(outDir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort().map((f) => {
    const c = JSON.parse(readFileSync(join(outDir, f), 'utf8'))
    return { file: f, client: c.client, variant: c.variant, kind: c.kind, request: c.request, version: c.version, userAgent: c.userAgent, arcjet: { strict: c.arcjet.strict.conclusion, shop: c.arcjet.shop.conclusion } }
  })
  const index = {
    generatedBy: 'node scripts/material/capture-clients.mjs',
    arcjet: `arcjet ${arcjetVersion} detectBot, strict = allow: [], shop = allow: CATEGORY:SEARCH_ENGINE, CATEGORY:PREVIEW, CATEGORY:MONITOR`,
    spoofedUserAgent: SPOOF_UA,
    captures,
    failures: [...failed.values()].sort((a, b) => `${a.client}--${a.variant}`.localeCompare(`${b.client}--${b.variant}`)),
  }
  writeFileSync(indexPath, JSON.stringify(index, null, 2) + '\n')
  console.error(`${written.length} captures written to data/clients/, ${failures.length} failed`)
  if (verbose) for (const f of failures) console.error(f)
}

await main()
