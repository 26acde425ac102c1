import api from './index.js'

export const { Refiner, RefinedDecision, refine, features } = api
export default api
