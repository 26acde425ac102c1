import { formToken } from '../../../shop.mjs'

/** A `load` for the page of `form` (signup, login, checkout): its token, signed for this session. */
export const formLoad = (form) => ({ locals: { visitor } }) => ({ formToken: formToken(form, visitor.id) })
