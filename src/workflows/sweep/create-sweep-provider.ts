export { SWEEP_SESSION_NAME } from '../../aws/create-provider.js'
export type { CreateProviderFor as CreateSweepProvider } from '../../aws/create-provider.js'
