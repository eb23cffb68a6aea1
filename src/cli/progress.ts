// The live progress of `train` on stderr: a cli-progress bar on a terminal, a line every tenth of the run
// otherwise (logs, CI), so stdout stays free for results and --json.

import { SingleBar } from 'cli-progress';

export interface EpochProgress {
  epoch: number;
  loss: number;
  accuracy: number;
  validationAccuracy?: number;
}

export interface Progress {
  update(progress: EpochProgress): void;
  stop(): void;
}

const percent = (value: number | undefined) => (value === undefined ? '–' : `${(100 * value).toFixed(1)}%`);

export function epochProgress(epochs: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    const every = Math.max(1, Math.round(epochs / 10));
    return {
      update(p) {
        if (p.epoch % every === 0 || p.epoch === epochs) {
          stream.write(
            `epoch ${p.epoch}/${epochs}  loss ${p.loss.toPrecision(4)}  train ${percent(p.accuracy)}  validation ${percent(p.validationAccuracy)}\n`,
          );
        }
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    stream,
    format:
      'epoch {value}/{total} [{bar}] loss {loss}  train {accuracy}  validation {validation}  ETA {eta_formatted}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
  });
  bar.start(epochs, 0, { loss: '–', accuracy: '–', validation: '–' });
  return {
    update(p) {
      bar.update(p.epoch, {
        loss: p.loss.toPrecision(4),
        accuracy: percent(p.accuracy),
        validation: percent(p.validationAccuracy),
      });
    },
    stop() {
      bar.stop();
    },
  };
}
