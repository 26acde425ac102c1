// Measures the default model and writes docs/QUALITY.md: first on the real-source corpus
// (scripts/eval-real: real attack tools' payloads, the OWASP CRS's regression tests behind a CRS
// emulation, real clients' and browsers' headers, real prose and code), with the per-source rows
// and the pass where the threats' simulator-like fields are neutralized; then on held-out
// simulated traffic (the evaluation pool, another seed; once harder), which says how well the
// model learned the simulator and little more.
//
//   npm run quality                 (after `npm run build` and `npm run eval:real`; ~2 min)
//   npm run quality -- --with-1m    (also times training on 1M samples; ~4 min more)
//
// The LightGBM baseline runs when python3 can import lightgbm (scripts/baseline_lightgbm.py).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { markdown, neutralize, readCorpus, refineAll, report } from './eval-real/run.mjs'

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const { values } = parseArgs({ options: { 'with-1m': { type: 'boolean', default: false } } })
const cli = (...args) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/request-refiner.mjs'), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`request-refiner ${args.join(' ')} failed`)
  return r.stdout
}
const t = (f) => join(root, 'target', f)
mkdirSync(t('quality'), { recursive: true })

const simulate = (...args) => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/simulate/cli.mjs'), ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
  if (r.status !== 0) throw new Error(`simulate ${args.join(' ')} failed`)
}
const TRAIN = { n: 400000, seed: 1, difficulty: 0.3 }
const CORPORA = [
  { name: 'held-out', file: 'corpus-eval.jsonl', n: 100000, seed: 2, difficulty: 0.3 },
  { name: 'harder', file: 'corpus-eval-hard.jsonl', n: 50000, seed: 3, difficulty: 0.6 },
]
if (!existsSync(t('corpus-train.jsonl'))) throw new Error('target/corpus-train.jsonl is missing: run `npm run train:default` first')
if (!existsSync(t('eval-real.jsonl'))) throw new Error('target/eval-real.jsonl is missing: run `npm run eval:real` first')

const realLines = readCorpus(t('eval-real.jsonl'))
const realRows = report(realLines, refineAll(realLines, { keepReasons: () => true }), refineAll(neutralize(realLines)))
const realMd = markdown(realRows, { corpus: 'target/eval-real.jsonl', requests: realLines.filter((l) => !l.event).length, modelVersion: cli('inspect', join(root, 'models/default.rfm')).match(/default@[0-9a-f]{8}/)?.[0] })
const thresholds = cli('inspect', join(root, 'models/default.rfm')).split('\n').filter((l) => /^\s+(default|signup|login|checkout|api)\s/.test(l) || /challenge \/ deny/.test(l)).join('\n')

const evaluations = {}
for (const c of CORPORA) {
  simulate('--n', String(c.n), '--seed', String(c.seed), '--pool', 'eval', '--difficulty', String(c.difficulty), '--out', t(c.file))
  const table = cli('eval', join(root, 'models/default.rfm'), t(c.file), '--report', t(`quality/${c.name}`))
  evaluations[c.name] = { ...c, table, e: JSON.parse(readFileSync(t(`quality/${c.name}/evaluation.json`), 'utf8')) }
}

let lightgbm = null
const probe = spawnSync('python3', ['-c', 'import lightgbm; print(lightgbm.__version__)'], { encoding: 'utf8' })
if (probe.status === 0) {
  cli('export', t('corpus-train.jsonl'), '--out', t('features-train.csv'))
  cli('export', t('corpus-eval.jsonl'), '--out', t('features-eval.csv'))
  const r = spawnSync('python3', [join(root, 'scripts/baseline_lightgbm.py'), t('features-train.csv'), t('features-eval.csv'), t('quality/held-out/evaluation.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error('LightGBM baseline failed')
  lightgbm = { version: probe.stdout.trim(), table: r.stdout.trim() }
} else {
  console.error('python3 cannot import lightgbm (pip install lightgbm pandas scikit-learn): baseline skipped')
}

let oneMillion = null
if (values['with-1m']) {
  simulate('--n', '1000000', '--seed', '4', '--pool', 'train', '--out', t('corpus-1m.jsonl'))
  const started = performance.now()
  const out = cli('train', t('corpus-1m.jsonl'), '--out', t('model-1m.rfm'), '--seed', '1')
  oneMillion = { wallS: (performance.now() - started) / 1000, line: out.split('\n')[0].replace(`${root}/`, '') }
}

const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(2)}%` : '—')
const profileRows = (e) =>
  e.profiles.map((p) => `| ${p.profile} | ${p.legit} | ${p.threats} | ${pct(p.rules_false_positives, p.legit)} | ${pct(p.refined_false_positives, p.legit)} | ${pct(p.rules_blocked_threats, p.threats)} | ${pct(p.refined_blocked_threats, p.threats)} | ${pct(p.kept_of_rules_blocked, p.rules_blocked_threats)} | ${pct(p.blocked_of_rules_missed, p.threats - p.rules_blocked_threats)} |`).join('\n')
const headRows = (e) => e.heads.map((h) => `| ${h.threat} | ${h.positives} | ${h.auc?.toFixed(4)} | ${h.ece.toFixed(4)} |`).join('\n')
const tables = (e) => `| profile | legitimate | threats | false positives, rules | refined | threats blocked, rules | refined | kept of rules' blocks | blocked of rules' misses |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${profileRows(e)}

| threat | positives | AUC | expected calibration error |
|---|---:|---:|---:|
${headRows(e)}`

const held = evaluations['held-out']
const hard = evaluations.harder
const doc = `# Quality of the default model

Generated by \`npm run quality\` (scripts/quality.mjs) on ${new Date().toISOString().slice(0, 10)}; do not edit by hand.

Model \`${held.e.model}\` (\`models/default.rfm\`), trained by \`npm run train:default\` on ${TRAIN.n.toLocaleString('en')} simulated
requests (seed ${TRAIN.seed}, training pool, difficulty ${TRAIN.difficulty}; docs/DATA.md).

**Read the real-source section first.** A model that is near perfect on its own simulator has been
measured elsewhere blocking 6% of ordinary users and lifting 45% of correct rule blocks: it had
learned the simulator's habits. The real-source corpus shares no generator with training: its
payloads come from attack tools and the CRS's tests the simulator never drew from, its clients
from real captures, its text from real prose and code, and its verdicts from an emulation of the
OWASP Core Rule Set (scripts/eval-real/README.md). The *neutralized* column re-runs every threat
with a legitimate request's context and browser headers (unless the headers are the threat), so
what remains is what the refiner finds in the threat itself.

## Real sources

${realMd.replace(/^# .*\n/, '').replace(/^### /gm, '#### ').replace('## Per source', '### Per source')}

## Thresholds

Per profile and threat, fitted by the trainer among the legitimate requests of the profile's
route that the rules let through and that carry that threat's evidence (the only ones a threshold
can turn away), at the profile's target rate; with fewer than 200 such requests the floors stand
(deny 0.5, challenge 0.2).

\`\`\`
${thresholds}
\`\`\`

## Simulated, held out (${held.n.toLocaleString('en')} requests, seed ${held.seed}, difficulty ${held.difficulty})

Clients, crawlers, disposable domains and payload sources that no training sample contained.

${tables(held.e)}

${lightgbm ? `LightGBM ${lightgbm.version} on the same features (one model per threat, early stopping on 20% of the training matrix), AUC on this corpus:

${lightgbm.table}` : 'LightGBM baseline: not run on this machine (python3 has no lightgbm).'}
${oneMillion ? `\nTraining on 1M samples: ${oneMillion.wallS.toFixed(1)} s wall, reading the corpus included (${oneMillion.line}).\n` : ''}
## Simulated, harder (${hard.n.toLocaleString('en')} requests, seed ${hard.seed}, difficulty ${hard.difficulty})

Twice as many threats imitate people (browser user agents, residential ips, human-looking
sessions) as in training.

${tables(hard.e)}

### Per scenario (held out)

\`\`\`
${held.table.trim()}
\`\`\`

## Where it falls short

- **One draw of the corpus flatters three rows.** The tables above are seed 1 of
  scripts/eval-real/generate.mjs. Seeds 3, 7 and 11, measured on the same build
  (\`--seed N --out …\`, then run.mjs \`--in\`): ordinary users and new visitors 0.0% blocked on
  each; VPN and Tor users 2.9%, 2.4% and 1.0% (the rules: 3.5%, 2.6%, 1.3%: a fifth of the rules' on
  none; they are VPN exits the rate limit denied, whose lift rests on a session, and whose
  data-centre ip keeps the bot head at its challenge threshold: a session a script can open does
  not waive that doubt); benign text that trips the WAF and people behind one NAT **27.5 to 30.4%**
  (seed 1: 20.3%; more NAT visitors arrive there with no context at all); correct blocks kept
  99.4 to 99.5% (neutralized 98.8 to 99.1%); attacks the WAF missed found 78.8 to 79.5% anonymous
  and 61.4 to 65.0% logged in, neutralized **10.5 to 12.0 points** under the anonymous figure
  (seed 1: 9.6) and 4.1 to 7.7 under the logged-in one; bots 79.3 to 79.5% (75.9 to 77.0%
  neutralized).
- **Payloads the analysis cannot confirm.** Of the real attacks the WAF missed, the refiner finds
  what the payload analysis confirms (nearly all of it), the markup, traversal, lookup, XML and
  SQL probes it half confirms (challenged, never denied), and what the client's presentation gives
  away; probes without a working payload (a lone \`ABS(\`, a URL to an outside host for SSRF or
  open redirect, SQL with no quote, comparison or comment such as \`1 or true\`) stay unconfirmed.
  Attackers with browser headers are found only through their payloads, which puts the
  neutralized recall 9.6 points (anonymous) and 9.2 points (logged in) under the normal one: the
  rest is found on the attackers' own clients, which the neutralizer replaces (a library's header
  set behind a browser's user agent, client hints that name another platform, a tool's name). The
  forms added in the fifth stop (wapiti's CRLF and SQL error probes, sqlmap's heuristic probe,
  T-SQL commands, \`'1001'='10\`, literal lists, UTF-7, exotic traversal encodings, NUL truncation)
  were read off this corpus's misses, so for those forms it is tuning material now; CRLFsuite's
  payloads, added afterwards and held out, measure 62.7% confirmed before and after them. So
  are the sixth stop's (near misses a WAF stops, SQL probes, XPath axes), read off the CRS
  fragments and wfuzz forms this corpus's WAF let through; the two red teams' payloads (NoSQL
  operators, prototype keys, brace expansion, comment-cut logins) came from outside it, and the
  held-out sources (sqlmap, libinjection's forums and WordPress sets, shazzer, lfimap,
  CRLFsuite) measure the same before and after.
- **The simulator's tables count denials only.** A header inconsistency alone (client hints that
  contradict the user agent, an HTTP library's header defaults) only challenges, as real people
  show them too (a user-agent switcher, an app's own server-side fetch forwarding its visitor's user
  agent); the scripts found that way count as missed in the tables above (sign-up's share of the
  rules' misses blocked: 59% with a denial, 45% now), though a challenge stops a script as well.
- **Thresholds at their floors, and the abuse head's on the edge.** The bot and attack heads
  keep the hand-set floors (challenge 0.2, deny 0.5) in every profile: fewer than 200 legitimate
  simulated requests the rules let through carry their evidence (of the whole 400,000-row corpus,
  496 carry bot evidence, all API apps whose okhttp the crawler list names, and 9 a confirmed payload, so
  about 50 and 1 of the trainer's 40,000 calibration rows), and a quantile of them would be set by
  their oddest few. The calibrated probability decides; \`calibrate\` on an app's own legitimate
  traffic fits them. Giving simulated people that evidence was tried (0.3% of Chromium browsers
  with a user-agent switcher whose hints contradict the user agent, 1% of requests a shop's server
  fetching for its visitor with the runtime's real captured headers): 3,493 legitimate allowed
  rows then carry bot evidence, but only 100 evidence that may deny, so the bot deny floor stands
  and the challenge threshold fits at 0.93, capped to the floor; that model found fewer of this
  corpus's anonymous attacks (72.3% against 74.3%) and bots (76.9% against 78.2%) and blocked no
  fewer people, so it was not kept. No honest calibration set exists for the attack head: the
  analysis confirms 35 of 78,799 real benign texts. The abuse head's thresholds are fitted, but on about 150 to 250 rows (1,520
  in the corpus), next to the 200 below which the floors stand, so they swing with the corpus:
  trained on 300,000 rows of the same simulator they fall to the floors, which blocks more of the
  held-out card testing (78% instead of 76%) and credential stuffing (74% instead of 73%) for
  0.09 to 0.28 points more false positives per profile; the 400,000-row model, with fewer false
  positives, is the default.
- **WAF false positives on anonymous writers.** A shield denial is lifted only when the analysis
  finds nothing in the text, not even a near miss, *and* an account with history vouches for the
  writer; anonymous visitors whose support message trips the WAF stay blocked. Letting a session
  vouch (a login, a minute, two pages: what lifts a rate limit's denial) was measured on
  2026-12-02, after near misses for the CRS fragments and wfuzz forms the analysis missed had
  taken correct blocks kept from 99.0 to 99.4%: the WAF and NAT row fell from 20.3 to 14.4%
  (seeds 3, 7, 11: from 27.5–30.4 to 21.9–23.9%), correct blocks kept from 99.4 to 98.1%
  (neutralized 99.0 → 96.7%), about one real attack lifted per person let through. A red team
  then sent 18 working payloads of families the analysis did not know (a MongoDB operator object
  on a password, \`admin'-- -\`, \`__proto__\` keys, bash brace expansion, \`ORDER BY IF(…,SLEEP(5),0)\`,
  a metadata URL with no scheme) with a session earned honestly (600 s, five pages): all 18
  lifted. A session costs a scanner a minute; with it, the WAF would stop only what this
  analysis also sees. So it was not taken; those payloads are confirmed or probed now, and the
  row stays over its target.
- **Browser automation with real browser headers** presents like a person. Where the client
  hints give it away it is found (puppeteer-extra-stealth's brand list from Chromium 90, a
  Chromium with another platform's user agent: every row); where nothing does (headless Firefox,
  puppeteer with \`setUserAgent\`, which sends no client hints, as 2% of header-generator's
  Windows Chrome sets do too; got-scraping; curl_cffi) only memory (pace, accounts per device)
  and the app's context separate it, and 0 to 36% of their rows are found.
- **Memory and context learned from simulated sessions.** How real clients spread over ips,
  devices and accounts differs; evaluate on your own time-ordered logs with their outcome events
  (\`npx request-refiner eval\`) and recalibrate with \`calibrate\`.

The HTML reports with ROC, precision-recall, score histograms and per-profile plots are written
to \`target/quality/held-out/report.html\` and \`target/quality/harder/report.html\`.
`
writeFileSync(join(root, 'docs/QUALITY.md'), doc)
console.log(doc)
