import { CATALOG, cartValue } from '../../../shop.mjs'

export const load = ({ locals: { visitor } }) => ({
  signedIn: Boolean(visitor.session.accountId),
  cart: cartValue(visitor.session),
  items: [...CATALOG].map(([sku, item]) => ({ sku, ...item })),
})
