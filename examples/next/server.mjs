// Next.js behind a small custom server, for one reason: route handlers cannot see the socket, so
// this server writes the client's ip into X-Forwarded-For for them, replacing whatever the client
// sent there (`next start` would pass the client's own header through, and Arcjet and the
// refiner would take the ip the client chose). The ip is the socket's peer, or, when TRUST_PROXY
// names the reverse proxies in front (TRUST_PROXY=10.0.0.0/8), the first address they did not add.
//
//   npx next build --webpack && PORT=3000 node server.mjs
import { createServer } from 'node:http'
import next from 'next'
import proxyaddr from 'proxy-addr'
import { trustedProxies } from '../shop.mjs'

const trust = proxyaddr.compile(trustedProxies() || [])
const app = next({ dev: false, dir: import.meta.dirname })
const handle = app.getRequestHandler()
await app.prepare()
const server = createServer((req, res) => {
  req.headers['x-forwarded-for'] = proxyaddr(req, trust)
  handle(req, res)
})
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
