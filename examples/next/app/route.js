import { pages } from '../../shop.mjs'
import { html, shopSession } from '../lib/session.js'

export async function GET(req) {
  const { session } = await shopSession(req)
  return html(pages.home(session))
}
