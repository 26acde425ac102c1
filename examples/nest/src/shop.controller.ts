// The shop's routes. Pages carry the form token the refiner's formFillMs is measured from; the
// guarded POSTs run RefinerGuard first, then the route's own work (../../routes.mjs act()).
import { Body, Controller, Get, Header, Post, Req, Res, UseGuards } from '@nestjs/common'
import { act, addToCart } from '../../routes.mjs'
import { formToken, pages } from '../../shop.mjs'
import { RefinerGuard, routeOf, visitorOf } from './refiner.guard.js'

/** Sends a route's `{ status, body, location }` through Express's response. */
const send = (res, { status, body, location }) => (location ? res.redirect(status, location) : res.status(status).json(body))

@Controller()
export class ShopController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  home(@Req() req) {
    return pages.home(req.session)
  }

  @Get(['signup', 'login'])
  @Header('content-type', 'text/html; charset=utf-8')
  form(@Req() req) {
    const name = req.path.slice(1)
    return pages[name](formToken(name, req.sessionID))
  }

  @Get('checkout')
  @Header('content-type', 'text/html; charset=utf-8')
  checkout(@Req() req) {
    return pages.checkout(req.session, formToken('checkout', req.sessionID))
  }

  @Post('cart')
  cart(@Req() req, @Body() form, @Res() res) {
    send(res, addToCart(req, form ?? {}))
  }

  // The guarded forms: RefinerGuard (Arcjet's rules, then the refiner), then the route's own work.
  @Post(['signup', 'login', 'checkout'])
  @UseGuards(RefinerGuard)
  async submit(@Req() req, @Body() form, @Res() res) {
    send(res, await act(routeOf(req), { visitor: visitorOf(req), form: form ?? {} }, req.guarded))
  }
}
