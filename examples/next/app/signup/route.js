import { NextResponse } from 'next/server'
import { protect } from '../../lib/protect.js'

export async function POST(req) {
  const { response, refined } = await protect(req, 'signup')
  if (response) return response
  // A real app creates the account here (or shows a CAPTCHA when refined.isChallenged()).
  return NextResponse.json({ ok: true, conclusion: refined.conclusion, challenge: refined.isChallenged() })
}
