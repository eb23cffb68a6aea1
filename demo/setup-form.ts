// The setup form: its values as a training setup, and a one-line description of the network it makes.
import type { FaceTask, TargetEncoding } from 'webgpu-mlp';
import type { BackendChoice, TrainingSetup } from './worker/protocol.js';

export interface FormChoice {
  setup: TrainingSetup;
  task: FaceTask;
  validationSplit: number;
  /** Mitchell's 0.1/0.9 for sigmoid outputs with squared error; 0/1 for the cross-entropies */
  targets: TargetEncoding;
}

export class SetupForm {
  constructor(readonly form: HTMLFormElement) {}

  private value(name: string): string {
    const element = this.form.elements.namedItem(name);
    if (
      element instanceof RadioNodeList ||
      element instanceof HTMLInputElement ||
      element instanceof HTMLSelectElement
    ) {
      return element.value;
    }
    throw new Error(`demo: the setup form has no field '${name}'`);
  }

  private checked(name: string): boolean {
    return (this.form.elements.namedItem(name) as HTMLInputElement).checked;
  }

  /** The form's values, or null (with the browser's message shown) when a field is invalid. */
  read(): FormChoice | null {
    if (!this.form.reportValidity()) return null;
    const setup: TrainingSetup = {
      hidden: this.value('hidden')
        .split(',')
        .map((units) => Number(units.trim())),
      activation: this.value('activation') as TrainingSetup['activation'],
      loss: this.value('loss') as TrainingSetup['loss'],
      optimizer: this.value('optimizer') as TrainingSetup['optimizer'],
      learningRate: Number(this.value('learningRate')),
      momentum: Number(this.value('momentum')),
      batchSize: Number(this.value('batchSize')),
      epochs: Number(this.value('epochs')),
      patience: this.checked('earlyStopping') ? Number(this.value('patience')) : null,
      backend: this.value('backend') as BackendChoice,
      seed: Number(this.value('seed')),
    };
    return {
      setup,
      task: this.value('task') as FaceTask,
      validationSplit: Number(this.value('validationSplit')),
      targets: setup.loss === 'squared-error' ? '0.1/0.9' : 'one-hot',
    };
  }

  set(name: string, value: string): void {
    const element = this.form.elements.namedItem(name) as HTMLInputElement | RadioNodeList | null;
    if (element) element.value = value;
  }

  /** Turns off the WebGPU choice when there is no adapter. */
  disableWebGpu(): void {
    const webgpu = this.form.querySelector<HTMLInputElement>('input[name="backend"][value="webgpu"]');
    if (webgpu) webgpu.disabled = true;
    this.set('backend', 'cpu');
  }

  /** Momentum only means something for SGD; the task only for faces. */
  syncEnabledFields(kind: 'faces' | 'table'): void {
    const optimizer = this.value('optimizer');
    (this.form.elements.namedItem('momentum') as HTMLInputElement).disabled =
      optimizer === 'adam' || optimizer === 'adamw';
    (this.form.elements.namedItem('patience') as HTMLInputElement).disabled = !this.checked('earlyStopping');
    (this.form.elements.namedItem('task') as HTMLSelectElement).disabled = kind !== 'faces';
  }
}

/** "960 → 3 → 4 · sigmoid hidden, sigmoid outputs · 2,899 weights" */
export function describeNetwork(inputSize: number, setup: TrainingSetup, outputs: number): string {
  const sizes = [inputSize, ...setup.hidden, outputs];
  let parameters = 0;
  for (let layer = 1; layer < sizes.length; layer++) parameters += sizes[layer] * (sizes[layer - 1] + 1);
  const output = setup.loss === 'softmax-cross-entropy' ? 'softmax' : 'sigmoid';
  return `${sizes.join(' → ')} · ${setup.activation} hidden, ${output} outputs · ${parameters.toLocaleString('en')} weights`;
}
