import { describe, expect, it } from 'vitest';
import { createEngine, MlpError, type NetworkSpec } from '../src/index.js';

const spec: NetworkSpec = {
  inputSize: 4,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
};

describe('createEngine', () => {
  it('cpu: reports its backend and adapter', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    expect(engine.backend).toBe('cpu');
    expect(engine.adapterDescription).toBe('cpu (float64 accumulation)');
    engine.dispose();
  });

  it('rejects an unknown backend, saying which ones exist', async () => {
    // @ts-expect-error: a wrong value from JavaScript
    const attempt = createEngine({ backend: 'gpu' });
    await expect(attempt).rejects.toThrow('backend: "gpu" is not one of cpu, webgpu, auto');
    await expect(attempt).rejects.toBeInstanceOf(MlpError);
  });

  it('createNetwork validates the spec', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    expect(() => engine.createNetwork({ ...spec, inputSize: 0 })).toThrow(
      'inputSize: 0 is not a positive integer',
    );
    engine.dispose();
  });

  it('disposing a network leaves the engine working', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    const first = engine.createNetwork(spec);
    first.dispose();
    const second = engine.createNetwork(spec);
    expect((await second.predict(new Float32Array(8))).length).toBe(4);
    expect(engine.networkCount).toBe(1);
    engine.dispose();
  });

  it('engine.dispose() disposes its networks; both then throw MlpError "disposed"', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    const net = engine.createNetwork(spec);
    engine.dispose();
    expect(net.isDisposed).toBe(true);
    await expect(net.predict(new Float32Array(4))).rejects.toMatchObject({ code: 'disposed' });
    expect(() => engine.createNetwork(spec)).toThrow(expect.objectContaining({ code: 'disposed' }));
    engine.dispose(); // twice is harmless
  });

  it('creating and disposing 200 networks in a row leaves nothing behind', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    const keeper = engine.createNetwork(spec);
    const before = keeper.stats();
    for (let i = 0; i < 200; i++) {
      const net = engine.createNetwork({ ...spec, seed: i });
      await net.predict(new Float32Array(4));
      net.dispose();
    }
    expect(engine.networkCount).toBe(1);
    expect(keeper.stats()).toEqual(before);
    expect(keeper.stats().liveBuffers).toBe(0);
    engine.dispose();
  });
});
