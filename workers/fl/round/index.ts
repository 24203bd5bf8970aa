export * from './types'
export * from './identity'
export * from './node'
export * from './codec'
