import { Form, Link, useLoaderData } from 'react-router'
import { CATALOG, cartValue } from '../../../shop.mjs'
import { visit } from '../shop.server.js'

export function loader({ request }) {
  const { visitor, answer } = visit(request)
  return answer({ signedIn: Boolean(visitor.session.accountId), cart: cartValue(visitor.session), items: [...CATALOG].map(([sku, item]) => ({ sku, ...item })) })
}

export default function Home() {
  const { signedIn, cart, items } = useLoaderData()
  return (
    <>
      <h1>Shop</h1>
      <p>
        {signedIn ? 'Signed in' : <><Link to="/login">Log in</Link> · <Link to="/signup">Sign up</Link></>} · <Link to="/checkout">Cart ({cart})</Link>
      </p>
      <ul>
        {items.map((item) => (
          <li key={item.sku}>
            {item.name} {item.price}{' '}
            <Form method="post" action="/cart" reloadDocument>
              <input type="hidden" name="sku" value={item.sku} />
              <button>Add</button>
            </Form>
          </li>
        ))}
      </ul>
    </>
  )
}
