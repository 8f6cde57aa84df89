import { createSweepHandler } from './sweep-handler.js'

/** The scheduled sweep function's handler (`dist/src/lambda/sweep.handler`), configured from its environment. */
export const handler = createSweepHandler()
