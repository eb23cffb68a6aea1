// examples/webgpu.mjs — run with `npm run build && node examples/webgpu.mjs` in this repository.
// (.ci/run runs it; test/docs/pages.test.ts keeps it in docs/webgpu-design.md.)
import { createEngine } from 'webgpu-mlp';

// Node: the `webgpu` package (Dawn); with no GPU, Debian's SwiftShader driver. Without any adapter this
// throws MlpError 'no-adapter' saying what to install ('auto' would warn and use the CPU instead).
const engine = await createEngine({ backend: 'webgpu' });
console.log(engine.backend, engine.adapterDescription); // webgpu google swiftshader …
const net = engine.createNetwork({
  inputSize: 960,
  layers: [
    { units: 3, activation: 'sigmoid' },
    { units: 4, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
});
console.log(await net.predict(new Float32Array(2 * 960).fill(0.5))); // 2 examples × 4 outputs
console.log(net.stats()); // { uploads, uploadBytes, readbacks, submits, dispatches, liveBuffers, liveBytes }
net.dispose();
engine.dispose();
