import api from './index.js'

export const { Refiner, RefinedDecision, Memory, refine, features, train, evaluate } = api
export default api
