// A localhost HTTP/1.1 server that records exactly what each client sends: method, path, the raw
// header names in arrival order with their original case (req.rawHeaders), their values, and the
// body's length. It serves a page that makes a real browser send the three kinds of request a
// site sees: the top-level navigation GET of the page, a fetch() JSON POST from its script
// (sec-fetch-mode: cors) and, when the form is submitted, a form POST navigation.
//
//   node scripts/material/capture-server.mjs [port]   serves until stopped, printing each request
//
// Every URL carries `run=<id>` in its query, so one server can tell the clients apart; the page
// passes it on to its fetch and its form. For the runs in `autoSubmit` the page submits its form by
// script after the fetch (no user activation: no sec-fetch-user); otherwise the form waits for a
// click. (Not a query parameter: the Referer of the fetch and the form post would show it.)

import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'

export const DEFAULT_PORT = 47123

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The shop-like page: a sign-up form (POST navigation) and a script that posts JSON with fetch(). */
function page(run, auto) {
  const q = `run=${encodeURIComponent(run)}`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>capture ${escape(run)}</title>
<link rel="icon" href="data:,">
<style>body{margin:0;font:16px sans-serif}#go{position:fixed;inset:0;width:100vw;height:100vh;font-size:40px}</style>
</head><body>
<form id="f" method="POST" action="/submit?${escape(q)}">
<input type="hidden" name="email" value="someone@example.com">
<input type="hidden" name="plan" value="basic">
<button id="go" type="submit">Sign up</button>
</form>
<script>
(async () => {
  let status = 'fetch-failed'
  try {
    const r = await fetch('/api/signup?${q}', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'someone@example.com', plan: 'basic' }) })
    status = 'fetched-' + r.status
  } catch (e) { status = 'fetch-error' }
  document.title = status
  ${auto ? "document.getElementById('f').submit()" : ''}
})()
</script>
</body></html>
`
}

/**
 * Starts the server. Returns { url, port, requests, autoSubmit, waitFor, close }: add a run id to
 * the set `autoSubmit` to have its page submit the form by script; `requests` grows with one record
 * per request, `waitFor(predicate, ms)` resolves with the first record that matches (or null on timeout).
 */
export async function startCaptureServer({ port = DEFAULT_PORT, host = '127.0.0.1', log = false } = {}) {
  const requests = []
  const autoSubmit = new Set()
  const waiters = new Set()
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const url = new URL(req.url, 'http://capture.invalid')
      const headers = []
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]])
      const record = {
        run: url.searchParams.get('run'),
        method: req.method,
        path: req.url,
        route: url.pathname,
        httpVersion: req.httpVersion,
        headers,
        bodyLength: body.length,
        at: Date.now(),
      }
      requests.push(record)
      if (log) console.log(JSON.stringify(record))
      for (const w of waiters) if (w.predicate(record)) { waiters.delete(w); w.resolve(record) }
      respond(url, req, res, autoSubmit)
    })
  })
  // Keep-alive sockets of the browsers must not hold close() up.
  server.keepAliveTimeout = 1000
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const actual = server.address().port
  const waitFor = (predicate, ms = 15000) => {
    const hit = requests.find(predicate)
    if (hit) return Promise.resolve(hit)
    return new Promise((resolve) => {
      const w = { predicate, resolve }
      waiters.add(w)
      setTimeout(() => { if (waiters.delete(w)) resolve(null) }, ms).unref()
    })
  }
  const close = () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()) })
  return { url: `http://${host}:${actual}`, port: actual, requests, autoSubmit, waitFor, close }
}

function respond(url, req, res, autoSubmit) {
  const run = url.searchParams.get('run') ?? ''
  const send = (status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }
  if (req.method === 'GET' && url.pathname === '/') return send(200, 'text/html; charset=utf-8', page(run, autoSubmit.has(run)))
  if (req.method === 'POST' && url.pathname === '/submit') return send(200, 'text/html; charset=utf-8', `<!doctype html><title>submitted</title><p>Thanks (${escape(run)}).</p>`)
  if (req.method === 'POST' && url.pathname === '/api/signup') return send(200, 'application/json', JSON.stringify({ ok: true }))
  if (url.pathname === '/plain' || url.pathname === '/api/plain') return send(200, 'application/json', JSON.stringify({ ok: true, run }))
  return send(404, 'text/plain', 'not found')
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = await startCaptureServer({ port: Number(process.argv[2] ?? DEFAULT_PORT), log: true })
  console.error(`capture server on ${s.url}/?run=manual`)
}
