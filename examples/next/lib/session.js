// The session, iron-session style: a sealed cookie (encrypted and signed) that the client can
// neither read nor forge, but can send again: an older copy would roll its counters back. So the
// cookie holds only the session's id; what the server counts lives on the server, under that id.
import { getIronSession } from 'iron-session'
import { cookies } from 'next/headers'
import { randomUUID } from 'node:crypto'
import { SECRET, countRequest } from '../../shop.mjs'

const records = new Map() // session id → what the server counted; a real app uses Redis or its database

/**
 * This request's session, counted (../../shop.mjs countRequest): `{ id, session, visit, renew }`.
 * `renew()` gives the session a new id (on login, against session fixation) and keeps its records.
 */
export async function shopSession(req) {
  const cookie = await getIronSession(await cookies(), { password: SECRET, cookieName: 'shop' })
  if (!records.has(cookie.id)) {
    cookie.id = randomUUID()
    records.set(cookie.id, {})
    await cookie.save()
  }
  const session = records.get(cookie.id)
  const renew = async () => {
    records.delete(cookie.id)
    cookie.id = randomUUID()
    records.set(cookie.id, session)
    await cookie.save()
  }
  return { id: cookie.id, session, visit: countRequest(session, req.method, new URL(req.url).pathname), renew }
}

/** An HTML page response. */
export const html = (text) => new Response(text, { headers: { 'content-type': 'text/html; charset=utf-8' } })
