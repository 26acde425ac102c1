import { formLoad } from '$lib/forms.js'

export const load = formLoad('login')
