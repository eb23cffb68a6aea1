// An async iterator over a fit's progress, for UIs: `for await (const event of net.fitEvents(data, options))`.
// Training starts at the first next(); leaving the loop early (break, return, throw) stops the training
// after its current step and waits for it to end, so nothing keeps running behind the user's back.

import type { FitHistory } from './fit.js';
import type { BatchRecord, EpochRecord } from './options.js';

export type ProgressEvent =
  | { type: 'batch'; batch: BatchRecord }
  | { type: 'epoch'; epoch: EpochRecord }
  /** the last event: what fit() would have returned */
  | { type: 'end'; history: FitHistory };

/**
 * Runs `run` (a fit whose progress goes to `emit`) and yields its events in order, then 'end'; a rejected
 * fit rejects the iterator's next() with the same error after the events before it.
 */
export async function* progressEvents(
  run: (emit: (event: ProgressEvent) => void) => Promise<FitHistory>,
  stop: () => void,
): AsyncGenerator<ProgressEvent, void, undefined> {
  const queue: ProgressEvent[] = [];
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  let ended = false;
  const emit = (event: ProgressEvent): void => {
    queue.push(event);
    wake?.();
  };
  const running = run(emit).then(
    (history) => emit({ type: 'end', history }),
    (error: unknown) => {
      failure = { error };
      wake?.();
    },
  );
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        if (event.type === 'end') ended = true;
        yield event;
        if (ended) return;
      } else if (failure) {
        ended = true;
        throw failure.error;
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
  } finally {
    if (!ended) stop();
    await running;
  }
}
