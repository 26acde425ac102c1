import { NextResponse } from 'next/server'
import { formToken, pages, signup } from '../../../shop.mjs'
import { protect } from '../../lib/protect.js'
import { html, shopSession } from '../../lib/session.js'

export async function GET(req) {
  const { id } = await shopSession(req)
  return html(pages.signup(formToken('signup', id)))
}

export async function POST(req) {
  const visitor = await shopSession(req)
  const { denied, form, input, challenge } = await protect(req, 'signup', visitor)
  if (denied) return denied
  if (!signup(visitor.session, input.request.email, String(form.password ?? ''))) return NextResponse.json({ error: 'cannot sign up with that email' }, { status: 400 })
  return NextResponse.json({ ok: true, challenge })
}
