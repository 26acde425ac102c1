import { NextResponse } from 'next/server'
import { addToCart } from '../../../shop.mjs'
import { readForm } from '../../lib/protect.js'
import { shopSession } from '../../lib/session.js'

export async function POST(req) {
  const { session } = await shopSession(req)
  const form = await readForm(req)
  if (!addToCart(session, form.sku)) return NextResponse.json({ error: 'no such item' }, { status: 404 })
  return NextResponse.redirect(new URL('/', req.url), 303)
}
