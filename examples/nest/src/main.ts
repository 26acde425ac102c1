// NestJS on Express: a small shop (sign-up, login, cart, checkout) behind Arcjet's rules and the
// refiner, in a guard (./refiner.guard.ts).
//
//   npx tsc -p examples/nest && PORT=3000 node examples/nest/dist/main.js
//                                       TRUST_PROXY=10.0.0.0/8 behind a reverse proxy
import 'reflect-metadata'
import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { ArcjetModule } from '@arcjet/nest'
import session from 'express-session'
import { SECRET, countRequest, trustedProxies } from '../../shop.mjs'
import { options } from './arcjet.js'
import { RefinerGuard } from './refiner.guard.js'
import { ShopController } from './shop.controller.js'

@Module({ imports: [ArcjetModule.forRoot({ isGlobal: true, ...options })], controllers: [ShopController], providers: [RefinerGuard] })
class ShopModule {}

const app = await NestFactory.create<NestExpressApplication>(ShopModule, { logger: ['error', 'warn'] })
// req.ip is the socket's peer unless TRUST_PROXY names the reverse proxies in front.
app.set('trust proxy', trustedProxies())
app.use(session({ secret: SECRET, name: 'shop.sid', resave: false, saveUninitialized: true, cookie: { httpOnly: true, sameSite: 'lax' } }))
// Every request this server serves is counted in its session before a handler reads the counts.
app.use((req, res, next) => {
  req.visit = countRequest(req.session, req.method, req.path)
  next()
})
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
console.log(`listening on ${await app.getUrl()}`)
