// The page's side of the training worker: requests as promises, progress as a callback.
import type { Answers, Progress, Request, RequestMessage, WorkerMessage } from './protocol.js';

declare const __TRAINING_WORKER__: string;

interface Pending {
  resolve(answer: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: Progress) => void;
}

export class TrainingWorker {
  // Built, the worker is an entry of the demo's build that shares the library's chunk with the page; under the
  // dev server, the source module beside this one (vite.config.ts defines which).
  private readonly worker = new Worker(new URL(__TRAINING_WORKER__, import.meta.url), { type: 'module' });
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      const pending = this.pending.get(message.id);
      if (!pending) return;
      if (message.type === 'progress') {
        pending.onProgress?.(message.progress);
        return;
      }
      this.pending.delete(message.id);
      if (message.type === 'done') pending.resolve(message.answer);
      else pending.reject(new Error(message.message));
    });
    this.worker.addEventListener('error', (event) => {
      const error = new Error(`the training worker failed: ${event.message || 'it could not start'}`);
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    });
  }

  request<R extends Request>(
    request: R,
    onProgress?: (progress: Progress) => void,
    transfer: Transferable[] = [],
  ): Promise<Answers[R['kind']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (answer: unknown) => void, reject, onProgress });
      const message: RequestMessage = { id, request };
      this.worker.postMessage(message, transfer);
    });
  }
}
