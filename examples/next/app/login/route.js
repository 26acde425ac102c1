import { NextResponse } from 'next/server'
import { formToken, login, pages } from '../../../shop.mjs'
import { protect, refiners } from '../../lib/protect.js'
import { html, shopSession } from '../../lib/session.js'

export async function GET(req) {
  const { id } = await shopSession(req)
  return html(pages.login(formToken('login', id)))
}

export async function POST(req) {
  const visitor = await shopSession(req)
  const { denied, form, input, challenge } = await protect(req, 'login', visitor)
  if (denied) return denied
  const user = login(visitor.session, input.request.email, String(form.password ?? ''))
  refiners.login.observe(user ? 'login_ok' : 'login_failed', input)
  if (!user) return NextResponse.json({ error: 'wrong email or password' }, { status: 401 })
  await visitor.renew()
  return NextResponse.json({ ok: true, challenge })
}
