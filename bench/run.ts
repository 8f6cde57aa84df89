import { performance } from 'node:perf_hooks'
import { runBenchmarks } from './run-benchmarks.js'

// `npm run bench` / `node dist/bench/run.js [case...]` (see runBenchmarks).
const ok = await runBenchmarks({
  names: process.argv.slice(2),
  io: { log: (line) => console.log(line), now: () => performance.now() },
})
process.exitCode = ok ? 0 : 1
