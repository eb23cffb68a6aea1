// The layers of docs/architecture.md, enforced by `npm run lint` (dependency-cruiser, parsing TypeScript with
// swc because TypeScript 7 has no compiler API for it). Each layer may import the ones below it, never above.
//
//   programs     src/cli, demo, bench/runner, bench/engines   the public API (bench/engines may reach kernels)
//   facade       src/index.ts, network.ts, engine.ts, node*.ts Network, createEngine, Node entry points
//   bench/core   the browser-safe benchmark (webgpu-mlp/bench)
//   train, io    fit, options, checkpoints · save/load, exports (io never imports train)
//   backends     backend.ts (the contract), cpu/, webgpu/
//   model, data  spec, validation, init, randomness, optimizer spec · data sets and loaders
//   base         errors.ts, platform.ts, shaders.gen.ts
const facade = '^src/(index|network|engine|node|node-entry|node-platform)\\.ts$';
const layer = (name, from, above, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: above },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle ties layers into a knot.',
      from: {},
      to: { circular: true },
    },
    layer(
      'base-imports-nothing',
      '^src/(errors|platform|shaders\\.gen)\\.ts$',
      '^src/(?!errors\\.ts$|platform\\.ts$|shaders\\.gen\\.ts$)',
      'errors, platform and the generated shaders sit at the bottom.',
    ),
    layer(
      'model-is-the-bottom',
      '^src/model/',
      '^src/(backends|train|io|cli|data)/|' + facade,
      'model/ holds the spec and its checks: it imports nothing above it.',
    ),
    layer(
      'data-is-the-bottom',
      '^src/data/',
      '^src/(backends|train|io|cli)/|' + facade,
      'data/ loads and prepares data sets: it knows nothing of training.',
    ),
    layer(
      'backends-below-training',
      '^src/backends/',
      '^src/(train|io|cli|data)/|' + facade,
      'A backend implements the contract; the trainer drives it, not the other way round.',
    ),
    layer(
      'io-below-training',
      '^src/io/',
      '^src/(train|cli|backends)/|' + facade,
      'io/ reads and writes models: model/ types only.',
    ),
    layer(
      'train-below-facade',
      '^src/train/',
      '^src/cli/|' + facade,
      'train/ uses the backend contract, never the Network that calls it.',
    ),
    layer(
      'facade-below-programs',
      facade,
      '^src/cli/|^bench/|^demo/',
      'The library does not know its programs.',
    ),
    layer('library-below-bench', '^src/(?!cli/)', '^bench/', 'The library does not know its benchmark.'),
    layer(
      'bench-core-is-browser-safe',
      '^bench/core/(?!node-entry\\.ts$)',
      '^bench/(runner|engines)/|^src/cli/|^src/node',
      'webgpu-mlp/bench runs in browsers and the demo worker.',
    ),
    layer(
      'engines-below-runner',
      '^bench/engines/',
      '^bench/runner/',
      'The runner uses engines; engines do not use the runner.',
    ),
    layer(
      'demo-uses-the-public-api',
      '^demo/',
      '^src/(?!index\\.ts$)|^bench/(?!core/index\\.ts$)',
      'The demo is an app like any other: webgpu-mlp and webgpu-mlp/bench only.',
    ),
  ],
  options: {
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/types/' },
  },
};
