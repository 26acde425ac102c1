// The sign-up, login and checkout pages: the loader signs the form's token (from which the
// refiner's formFillMs is measured), the action runs the rules and the refiner (../shop.server.js).
import { Form, useActionData, useLoaderData } from 'react-router'
import { cartValue, formToken } from '../../../shop.mjs'
import { visit } from '../shop.server.js'

export { act as action } from '../shop.server.js'

const TITLES = { signup: 'Sign up', login: 'Log in', checkout: 'Checkout' }

export function loader({ request }) {
  const name = new URL(request.url).pathname.slice(1)
  const { visitor, answer } = visit(request)
  return answer({ name, formToken: formToken(name, visitor.id), total: cartValue(visitor.session) })
}

export default function ShopForm() {
  const { name, formToken, total } = useLoaderData()
  const result = useActionData()
  return (
    <>
      <h1>{TITLES[name]}</h1>
      {name === 'checkout' && <p>Total: {total}</p>}
      {result && <p>{result.error ?? 'Done'}</p>}
      <Form method="post" reloadDocument>
        <input type="hidden" name="formToken" value={formToken} />
        {name === 'checkout' ? (
          <input name="card" inputMode="numeric" autoComplete="cc-number" required />
        ) : (
          <>
            <input name="email" type="email" required />
            <input name="password" type="password" required />
          </>
        )}
        <button>Send</button>
      </Form>
    </>
  )
}
