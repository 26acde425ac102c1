// The shop's Arcjet configuration (../../offline-arcjet.mjs) with @arcjet/nest's rule functions:
// shield, detectBot and a 10-a-minute fixedWindow for every guarded route, validateEmail on sign-up.
import { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/nest'
import { shopOptions } from '../../offline-arcjet.mjs'

export const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
