// Waiting for a readback without keeping a core busy.
//
// While any promise of the `webgpu` package (Dawn in Node) is pending, the package polls Dawn on every turn
// of the event loop: the main thread spins for as long as the GPU works. On a CPU adapter (SwiftShader) that
// core is taken from the shaders: on 2 cores one dispatch read back in 528 ms with `mapAsync` awaited at
// once and in 356 ms polled (docs/webgpu-design.md "Waiting for the GPU"). So where pending promises spin
// (platform.ts `pendingPromisesSpin`), a readback is polled: a map is given one turn of the event loop,
// cancelled with `unmap` if the GPU is not done, and tried again after a sleep. A browser's `mapAsync`
// costs nothing while it is pending and is awaited as it is.

/** The longest sleep between two tries: what a long wait can overshoot by. */
const maxSleepMs = 10;
/** Each sleep is this fraction of the time waited so far (at least 1 ms, the timers' resolution). */
const sleepFraction = 1 / 16;

/**
 * Maps `buffer` for reading once the GPU has written it. With `poll`, it tries a map for one turn of the
 * event loop at a time, sleeping between tries for 1/16 of the time waited so far (1 to 10 ms), so no
 * promise stays pending while the GPU works; without, it awaits `mapAsync`. Resolves to the tries taken.
 */
export async function mapForReading(buffer: GPUBuffer, poll: boolean): Promise<number> {
  if (!poll) {
    await buffer.mapAsync(GPUMapMode.READ);
    return 1;
  }
  const start = performance.now();
  for (let tries = 1; ; tries++) {
    let outcome: { mapped: true } | { failure: unknown } | undefined;
    const attempt = buffer.mapAsync(GPUMapMode.READ).then(
      () => {
        outcome = { mapped: true };
      },
      (failure: unknown) => {
        outcome = { failure };
      },
    );
    // The map settles within this turn of the event loop if the GPU is done (or the device is lost).
    await new Promise((resolve) => setImmediate(resolve));
    if (outcome && 'mapped' in outcome) return tries;
    if (outcome) throw outcome.failure;
    // Not done: cancel the map (it rejects with an AbortError) so that no promise is pending while we sleep.
    buffer.unmap();
    await attempt;
    const sleep = Math.min(maxSleepMs, Math.max(1, (performance.now() - start) * sleepFraction));
    await new Promise((resolve) => setTimeout(resolve, sleep));
  }
}
