import type { Caller } from './authenticate-caller.js'
import type { EmulatorState } from './emulator-state.js'
import type { XmlElements } from './render-xml.js'

/** What one operation handler is given: the state, who is calling, the parameters and the time. */
export interface OperationContext {
  readonly state: EmulatorState
  readonly caller: Caller
  readonly params: Readonly<Record<string, string>>
  readonly now: Date
}

/** An operation handler: returns the content of `<{Action}Result>`, or nothing for result-less actions. */
export type Operation = (context: OperationContext) => XmlElements | undefined
