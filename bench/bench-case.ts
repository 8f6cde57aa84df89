/** What a benchmark case may use from the outside world: where to print, and a monotonic clock. */
export interface BenchIo {
  log(line: string): void
  /** Milliseconds from a monotonic clock (`performance.now`). */
  now(): number
}

/** `ok: false` makes the run exit non-zero (e.g. the engines disagreed). */
export interface BenchOutcome {
  readonly ok: boolean
}

/** One benchmark, selectable by name on the command line: `node dist/bench/run.js <name>`. */
export interface BenchCase {
  readonly name: string
  /** One line for the list printed on an unknown name. */
  readonly description: string
  run(io: BenchIo): Promise<BenchOutcome>
}
