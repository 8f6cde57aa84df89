export { SWEEP_SESSION_NAME } from '../providers/create-provider.js'
export type { CreateProviderFor as CreateSweepProvider } from '../providers/create-provider.js'
