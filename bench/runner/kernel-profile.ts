// Dev tool: GPU time per kernel of one training step (timestamp queries) for the bench networks.
// Build with the bench (tsc -p bench/tsconfig.json), then: node .bench-build/bench/runner/kernel-profile.js [name…]
// FEED=staged|direct|subgroup|texels pins the products' feed, so that profiles of two shader versions
// compare the same kernels (the feed is otherwise measured per shader version, and close ones swap).
import '../../src/node-platform.js';
import { webgpuEntryPoint } from '../../src/backends/webgpu/device.js';
import { type MatmulFeed, matmulFeeds, useMatmulFeed } from '../../src/backends/webgpu/matmul-feed.js';
import { WebGpuBackend } from '../../src/backends/webgpu/webgpu-backend.js';
import { initParams } from '../../src/model/init.js';
import { Random } from '../../src/model/random.js';
import { validateSpec } from '../../src/model/validate.js';
import { type BenchNetworkName, benchNetworks } from '../core/networks.js';
import { installGpuProfiler, profileGpu } from './gpu-profiler.js';

await webgpuEntryPoint();
installGpuProfiler();
const gpu = await WebGpuBackend.create();
const feed = process.env.FEED;
if (feed) {
  if (!matmulFeeds.includes(feed as MatmulFeed))
    throw new Error(`FEED must be one of ${matmulFeeds.join(', ')}, not ${feed}`);
  useMatmulFeed(gpu.device, feed as MatmulFeed);
}
const names = process.argv.slice(2) as BenchNetworkName[];
for (const name of names) {
  const bench = benchNetworks[name];
  const net = gpu.createNetwork(bench.spec, initParams(validateSpec(bench.spec)));
  net.setOptimizer({ kind: 'sgd', momentum: bench.momentum, nesterov: false });
  const random = new Random(1);
  const count = bench.batchSize * 8;
  const x = Float32Array.from({ length: count * bench.spec.inputSize }, () => random.next());
  const outputs = bench.spec.layers[bench.spec.layers.length - 1].units;
  const t = new Float32Array(count * outputs);
  const dataset = net.upload(x, t, count);
  const options = {
    batchSize: bench.batchSize,
    learningRate: 0.01,
    l1: 0,
    l2: 0,
    decayBiases: false,
    dropout: [],
    dropoutSeed: 1,
  };
  const epoch = async () => {
    net.setOrder(dataset, new Random(2).permutation(count));
    net.train(dataset, 0, 8, options);
    await net.takeTrainingMetrics();
  };
  await epoch();
  const times = await profileGpu(epoch);
  const rows = [...times].map(
    ([family, time]) =>
      `${family}: ${(time.milliseconds / 8).toFixed(3)} ms/step (${time.dispatches / 8} dispatches)`,
  );
  console.log(`${name}\n  ${rows.join('\n  ')}`);
  net.dispose();
}
gpu.dispose();
