// POST /cart: a resource route (no page), an item at the catalog's price, then back to the shop.
export { act as action } from '../shop.server.js'
