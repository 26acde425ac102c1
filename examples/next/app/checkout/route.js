import { NextResponse } from 'next/server'
import { cartValue, formToken, pages, pay } from '../../../shop.mjs'
import { protect, refiners } from '../../lib/protect.js'
import { html, shopSession } from '../../lib/session.js'

export async function GET(req) {
  const { id, session } = await shopSession(req)
  return html(pages.checkout(session, formToken('checkout', id)))
}

export async function POST(req) {
  const visitor = await shopSession(req)
  if (!cartValue(visitor.session)) return NextResponse.json({ error: 'cart is empty' }, { status: 400 })
  // Counted before the rules and the refiner see this attempt ("including this one").
  visitor.session.paymentAttempts = (visitor.session.paymentAttempts ?? 0) + 1
  const { denied, form, input, challenge } = await protect(req, 'checkout', visitor)
  if (denied) return denied
  // The outcome the refiner cannot see: declines in one session are what card testing looks like.
  const paid = pay(visitor.session, form.card)
  refiners.checkout.observe(paid ? 'payment_ok' : 'payment_declined', input)
  if (!paid) return NextResponse.json({ error: 'card declined' }, { status: 402 })
  return NextResponse.json({ ok: true, challenge })
}
