import { formLoad } from '$lib/forms.js'
import { cartValue } from '../../../../shop.mjs'

const tokenOf = formLoad('checkout')
export const load = (event) => ({ ...tokenOf(event), total: cartValue(event.locals.visitor.session) })
