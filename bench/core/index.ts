// `webgpu-mlp/bench`: the benchmark of our engines, for Node and the browser alike (the demo's compare panel
// runs it in its worker). Nothing here may import a Node module: `npm run bench` (bench/runner/main.ts) adds the
// Node-only parts (the reference engines, the results file, the heap reading of the long run).

export {
  formatLongRunTable,
  type LongRunOptions,
  type LongRunRecord,
  type LongRunSample,
  runLongRun,
  type Trend,
} from './long-run.js';
export {
  type BenchEngine,
  type BenchEngineName,
  type BenchRecord,
  benchEngineNames,
  type EpochCounts,
  type FirstEpoch,
  measureNetwork,
  type Spread,
  spread,
  type TimingOptions,
  type TransferCounts,
} from './measure.js';
export {
  type BenchNetwork,
  type BenchNetworkName,
  benchNetworkNames,
  benchNetworks,
  customNetwork,
  flopsPerExample,
  type SyntheticData,
  syntheticData,
} from './networks.js';
export { fitEngine, ourEngines } from './our-engines.js';
export { type BenchmarkOptions, formatNumber, formatTable, runBenchmark } from './run-benchmark.js';
