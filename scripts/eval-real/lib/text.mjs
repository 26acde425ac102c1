// Text: names, email addresses, benign prose and code (from target/eval-real/material/benign.json,
// made by extract.py from Debian's fortunes and word lists and from real source files), attack
// payloads (payloads.json) and how attackers encode and place them.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { OUT } from './rules.mjs'

export function loadMaterial() {
  const dir = join(OUT, 'material')
  const benign = JSON.parse(readFileSync(join(dir, 'benign.json'), 'utf8'))
  const payloads = JSON.parse(readFileSync(join(dir, 'payloads.json'), 'utf8'))
  const bySource = new Map()
  for (const p of payloads) {
    if (!bySource.has(p.source)) bySource.set(p.source, [])
    bySource.get(p.source).push(p)
  }
  return { benign, payloads, bySource }
}

const PROVIDERS = [['gmail.com', 40], ['outlook.com', 10], ['hotmail.com', 6], ['yahoo.com', 7], ['icloud.com', 6], ['gmx.de', 5], ['web.de', 4], ['orange.fr', 4], ['free.fr', 3], ['laposte.net', 2], ['proton.me', 3], ['aol.com', 2], ['btinternet.com', 2], ['comcast.net', 2]]
const WORK = ['acme-logistics.com', 'northwind.co.uk', 'contoso.de', 'fabrikam.fr', 'globex.io', 'initech.com', 'umbrella-health.org', 'univ-lyon2.fr', 'tu-berlin.de', 'ed.ac.uk']

const ascii = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9'.-]/g, '')

export function drawName(rng, m) {
  const first = rng.pick(m.benign.first_names)
  const last = rng.chance(0.12) ? rng.pick(m.benign.apostrophe_names) : rng.pick(m.benign.surnames)
  return { first, last, full: `${first} ${last}` }
}

/** A real-looking address: dots, digits, initials, work domains; apostrophes kept sometimes (O'Brien). */
export function drawEmail(rng, name) {
  const f = ascii(name.first).toLowerCase()
  const l = ascii(name.last).toLowerCase()
  const lq = rng.chance(0.5) ? l.replace("'", '') : l
  const digits = rng.chance(0.45) ? String(rng.weighted([[rng.int(1, 99), 3], [rng.int(1960, 2006), 3], [rng.int(100, 9999), 1]])) : ''
  const local = rng.weighted([
    [`${f}.${lq}${digits}`, 30], [`${f}${lq}${digits}`, 15], [`${f[0]}${lq}${digits}`, 12], [`${f}.${lq[0]}${digits}`, 6],
    [`${lq}.${f}${digits}`, 6], [`${f}_${lq}${digits}`, 5], [`${f}${digits || rng.int(1, 999)}`, 10], [`${f}.${lq}+shop`, 3],
  ])
  const domain = rng.chance(0.15) ? rng.pick(WORK) : rng.weighted(PROVIDERS)
  return `${local.replace(/\.{2,}/g, '.').replace(/^\.|\.$/g, '')}@${domain}`
}

/** What an abusive sign-up bot uses: a disposable domain (list) or a free provider with random local part. */
export function drawBotEmail(rng, disposableList, name) {
  if (rng.chance(0.4)) return `${ascii(name.first).toLowerCase()}${rng.int(10, 99999)}@${rng.pick(disposableList)}`
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  let s = ''
  for (let i = rng.int(6, 12); i > 0; i--) s += letters[rng.int(0, 25)]
  return rng.chance(0.5) ? `${s}${rng.int(1, 9999)}@gmail.com` : `${ascii(name.first).toLowerCase()}.${ascii(name.last).toLowerCase().replace("'", '')}${rng.int(1, 999)}@${rng.weighted(PROVIDERS)}`
}

const NOUNS = ['boots', 'jacket', 'scarf', 'kettle', 'lamp', 'backpack', 'sneakers', 'mug', 'blanket', 'headphones', 'desk', 'chair', 'umbrella', 'wallet', 'teapot', 'gloves', 'coat', 'dress', 'charger', 'notebook']
const ADJ = ['red', 'wool', 'leather', 'vintage', 'large', 'small', 'linen', 'waterproof', 'blue', 'oak', 'cotton', 'black', 'travel', 'kids', 'organic']
export function productSlug(rng) { return `${rng.pick(ADJ)}-${rng.pick(NOUNS)}-${rng.int(100, 9999)}` }

/** What people type in a search box, apostrophes and accents included. */
export function searchQuery(rng, m) {
  return rng.weighted([
    [() => `${rng.pick(ADJ)} ${rng.pick(NOUNS)}`, 40],
    [() => `${rng.pick(m.benign.contractions)} ${rng.pick(NOUNS)}`, 15],
    [() => `${rng.pick(m.benign.french_words)} ${rng.pick(m.benign.french_words)}`, 12],
    [() => rng.pick(m.benign.french_apostrophe), 8],
    [() => `${rng.pick(m.benign.apostrophe_names)} ${rng.pick(NOUNS)}`, 5],
    [() => rng.pick(m.benign.fortunes_en).split(/[.\n]/)[0].slice(0, 60), 10],
    [() => `${rng.pick(NOUNS)} size ${rng.int(36, 46)} & ${rng.pick(ADJ)}`, 10],
  ])()
}

function fortune(rng, m, lang) {
  return (lang === 'de' ? rng.pick(m.benign.fortunes_de) : rng.pick(m.benign.fortunes_en))
}

/**
 * Free text a legitimate person writes: reviews, support messages (with code pasted by the
 * developers among customers), notes. Returns { text, kind } (kind names the material).
 */
export function benignText(rng, m, lang = 'en', codeHeavy = false) {
  const kind = rng.weighted([['fortune', codeHeavy ? 20 : 55], ['review', codeHeavy ? 10 : 25], ['code', codeHeavy ? 60 : 8], ['french', 6], ['quote', 6]])
  if (kind === 'code') {
    const py = rng.chance(0.7)
    const lines = []
    const pool = py ? m.benign.code_python : m.benign.code_js
    const start = rng.int(0, pool.length - 4)
    for (let i = 0, n = rng.int(1, 4); i < n; i++) lines.push(pool[start + i].text)
    const intro = rng.pick(['Hi, your API returns an error when I run this:', 'The export script fails here:', 'Getting a 500 after this line in our integration:', 'Your docs example does not work for me:', 'Bug report. Code:', 'Hello! We call the endpoint like this'])
    return { text: `${intro}\n${lines.join('\n')}\n${rng.pick(['Any idea?', 'Thanks', 'Can you help?', 'Regards', ''])}`.trim(), kind: py ? 'code-python-stdlib' : 'code-express' }
  }
  if (kind === 'review') {
    const stars = rng.int(1, 5)
    const f = fortune(rng, m, lang).replace(/\s+/g, ' ')
    return { text: `${rng.pick(['Bought the', 'Ordered the', 'Got the', 'My wife loves the', "Don't buy the"])} ${rng.pick(ADJ)} ${rng.pick(NOUNS)}. ${stars >= 4 ? "It's great" : "It's not what I expected"} — as they say: "${f}"`, kind: 'review+fortunes' }
  }
  if (kind === 'french') {
    const w = () => rng.pick(m.benign.french_apostrophe)
    return { text: `Bonjour, je n'ai pas reçu ma commande ${w()} ${w()} ; c'est l'adresse d'${rng.pick(m.benign.french_words)}. Merci d'avance !`, kind: 'wfrench' }
  }
  if (kind === 'quote') {
    return { text: `"${fortune(rng, m, 'en').replace(/\s+/g, ' ')}" -- that's what I'd say about ${rng.pick(m.benign.apostrophe_names)}'s order #${rng.int(10000, 99999)}`, kind: 'fortunes+names' }
  }
  return { text: fortune(rng, m, lang), kind: lang === 'de' ? 'fortunes-de' : 'fortunes' }
}

// ------------------------------------------------------------------ attacks: encodings and placements

const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())

function mixedCase(rng, s) {
  return s.replace(/[a-z]+/gi, (w) => (w.length > 2 && rng.chance(0.7) ? [...w].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('') : w))
}

/** How the attacker encodes the payload on the wire: 'url' (once), 'double' (twice), 'mixed-case', 'plus'. */
export function drawEncoding(rng) {
  return rng.weighted([['url', 55], ['double', 15], ['mixed-case', 20], ['plus', 10]])
}

export function encodeFor(rng, text, encoding, where) {
  const t = encoding === 'mixed-case' ? mixedCase(rng, text) : text
  if (where === 'raw') return t // JSON bodies and headers carry the text as is
  if (encoding === 'double') return enc(enc(t))
  if (encoding === 'plus') return enc(t).replace(/%20/g, '+')
  return enc(t)
}

export const PLACEMENTS = [['query', 30], ['path', 10], ['json', 20], ['form', 18], ['header', 10], ['cookie', 7], ['json-nested', 5]]
