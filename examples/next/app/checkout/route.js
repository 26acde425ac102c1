import { NextResponse } from 'next/server'
import { protect } from '../../lib/protect.js'

export async function POST(req) {
  const { response, refined } = await protect(req, 'checkout')
  if (response) return response
  // A real app takes the payment here (or shows a CAPTCHA when refined.isChallenged()).
  return NextResponse.json({ ok: true, conclusion: refined.conclusion, challenge: refined.isChallenged() })
}
