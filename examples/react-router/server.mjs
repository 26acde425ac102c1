// The built app (react-router build) on a Node http server on 127.0.0.1:$PORT (0: any free
// port), which it prints. Actions get the socket's peer as `context.peer`: a Request carries no
// socket, and the client's own X-Forwarded-For is no ip to trust (../web.mjs clientIp()). Static
// assets (build/client) are left to a CDN or @react-router/serve's static handler.
//
//   npm run build && PORT=3000 node server.mjs        TRUST_PROXY=10.0.0.0/8 behind a reverse proxy
import { createServer } from 'node:http'
import { createRequestListener } from '@react-router/node'

const build = await import('./build/server/index.js')
const server = createServer(createRequestListener({ build, getLoadContext: (request, client) => ({ peer: client.address }) }))
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
