import { index, route } from '@react-router/dev/routes'

// The three forms share one module (./routes/form.jsx), each route under its own id.
export default [
  index('routes/home.jsx'),
  ...['signup', 'login', 'checkout'].map((name) => route(name, 'routes/form.jsx', { id: name })),
  route('cart', 'routes/cart.js'),
]
