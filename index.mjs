import api from './index.js'

export const { Refiner, RefinedDecision, Memory, refine, features } = api
export default api
