// Checks the package the way another app gets it: `npm pack`, install the tarball into an empty app, then
// (1) import `webgpu-mlp` and `webgpu-mlp/node` in Node and train a tiny network (and measure one with
// `webgpu-mlp/bench`), (2) type-check an app with `lib: ["ES2023"]` and no DOM lib against the published
// .d.ts, and (3) bundle an app that imports `webgpu-mlp` and `webgpu-mlp/bench` for the browser with Vite,
// which must need nothing from Node.
// Run after `npm run build` (CI does). Exits non-zero, saying what went wrong, on any failure.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'webgpu-mlp-package-'));
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

try {
  const tarball = join(work, run('npm', ['pack', '--silent', '--pack-destination', work], root).trim());
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);

  writeFileSync(
    join(app, 'node-app.mjs'),
    `import { createEngine, MlpError } from 'webgpu-mlp';
import { folderFaceFiles } from 'webgpu-mlp/node';
if (typeof folderFaceFiles !== 'function') throw new Error('webgpu-mlp/node: folderFaceFiles missing');
for (const backend of ['cpu', 'webgpu']) {
  const engine = await createEngine({ backend });
  const net = engine.createNetwork({ inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', init: { kind: 'xavier' } });
  const xor = { inputs: [0, 0, 0, 1, 1, 0, 1, 1], targets: [0, 1, 1, 0] };
  await net.fit(xor, { epochs: 300, batchSize: 4, optimizer: { kind: 'adam', learningRate: 0.1 } });
  const { accuracy } = await net.evaluate(xor);
  try { engine.createNetwork({ inputSize: 0, layers: [] }); throw new Error('a bad spec was accepted'); }
  catch (error) { if (!(error instanceof MlpError)) throw error; }
  engine.dispose();
  if (accuracy !== 1) throw new Error(backend + ': XOR accuracy ' + accuracy + ', expected 1');
  console.log('node, ' + backend + ': imported, trained XOR to accuracy 1');
}
const bench = await import('webgpu-mlp/bench');
const engines = await bench.ourEngines(['webgpu', 'cpu'], {});
const network = { ...bench.benchNetworks['faces-b32'], examples: 64 };
const records = await bench.measureNetwork(network, bench.syntheticData(network), engines, { runSeconds: 0.05, runs: 3 });
for (const engine of engines) await engine.dispose();
if (records.map((record) => record.engine).join() !== 'webgpu,cpu' || !(records[0].readbacksPerEpoch === 1))
  throw new Error('webgpu-mlp/bench: unexpected records ' + JSON.stringify(records));
console.log('node: webgpu-mlp/bench measured faces-b32 on webgpu and cpu');
`,
  );
  process.stdout.write(run('node', ['node-app.mjs'], app));

  writeFileSync(
    join(app, 'index.html'),
    '<!doctype html><script type="module" src="./browser-app.js"></script>',
  );
  writeFileSync(
    join(app, 'browser-app.js'),
    `import { createEngine, syntheticFaceSplits } from 'webgpu-mlp';
import { benchNetworks, measureNetwork, ourEngines } from 'webgpu-mlp/bench';
if (typeof measureNetwork !== 'function' || typeof ourEngines !== 'function') throw new Error('webgpu-mlp/bench');
console.log(benchNetworks['faces-b1'].description);
const engine = await createEngine({ backend: 'auto' });
const { train } = syntheticFaceSplits({ task: 'pose', seed: 1 });
const net = engine.createNetwork({ inputSize: train.inputSize, layers: [{ units: 3, activation: 'sigmoid' }, { units: 4, activation: 'sigmoid' }] });
await net.fit(train, { epochs: 1 });
document.body.textContent = engine.backend;
`,
  );
  // (2) An app's TypeScript with `lib: ["ES2023"]` and no DOM lib: the public types must bring the WebGPU
  // types with them (@webgpu/types, referenced from index.d.ts), and they must be real types, not any.
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023'],
        types: [],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      files: ['typed-app.ts'],
    }),
  );
  writeFileSync(
    join(app, 'typed-app.ts'),
    `import { createEngine, type GpuData, type ParameterBuffers } from 'webgpu-mlp';
export async function embed(device: GPUDevice, frame: GPUBuffer): Promise<ParameterBuffers> {
  const engine = await createEngine({ backend: 'webgpu', device });
  const net = engine.createNetwork({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'squared-error' });
  const data: GpuData = { inputs: frame, count: 1 };
  const output: GPUBuffer = net.predictBuffer(data.inputs, data.count, { output: frame });
  output.usage satisfies GPUBufferUsageFlags;
  // @ts-expect-error a number is not a GPUBuffer: the WebGPU types resolved
  net.predictBuffer(4, 1);
  return net.parameterBuffers();
}
`,
  );
  const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', '.'], {
    cwd: app,
    encoding: 'utf8',
  });
  if (tsc.status !== 0)
    throw new Error(`an app's tsc (lib ES2023, no DOM) failed:\n${tsc.stdout}${tsc.stderr}`);
  console.log('types: an app with lib ES2023 and no DOM lib type-checks against the published .d.ts');

  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = spawnSync('node', [vite, 'build', '--logLevel', 'warn', '--outDir', 'dist'], {
    cwd: app,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}${build.stderr}`);
  const complaints = `${build.stdout}${build.stderr}`
    .split('\n')
    .filter((line) => /externalized|node:/.test(line));
  if (complaints.length > 0) {
    throw new Error(`the browser bundle needs Node modules:\n${complaints.join('\n')}`);
  }
  const assets = join(app, 'dist', 'assets');
  const bundled = readdirSync(assets).filter((file) => file.endsWith('.js'));
  const nodeImports = bundled.filter((file) =>
    /from\s*["'`](node:|webgpu["'`])|import\(\s*["'`](node:|webgpu["'`])/.test(
      readFileSync(join(assets, file), 'utf8'),
    ),
  );
  if (nodeImports.length > 0) throw new Error(`the browser bundle imports Node modules in ${nodeImports}`);
  console.log(`browser: bundled by Vite into ${bundled.length} file(s), no Node modules`);
} catch (error) {
  const details = [error.message, error.stdout, error.stderr].filter(Boolean).join('\n');
  console.error(`check-package: ${details}`);
  process.exitCode = 1;
} finally {
  if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
}
