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

const wholeNumber = (text: string, least: number) => /^\s*-?\d+\s*$/.test(text) && Number(text) >= least;
const decimal = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/**
 * What is wrong with a field's value, in plain words, or null. The browser's own checks are off (the form is
 * novalidate): its bubbles vanish, and they let a learning rate of 0 through.
 */
const fieldRules: Record<string, (value: string) => string | null> = {
  hidden: (value) =>
    /^\s*[1-9]\d*(\s*,\s*[1-9]\d*)*\s*$/.test(value)
      ? null
      : 'Write the units of each hidden layer as whole numbers, separated by commas: 3, or 20, 10.',
  learningRate: (value) =>
    decimal(value) > 0 ? null : 'The learning rate must be a number above 0, such as 0.3.',
  momentum: (value) => {
    const momentum = decimal(value);
    return momentum >= 0 && momentum < 1 ? null : 'Momentum must be at least 0 and below 1, such as 0.3.';
  },
  batchSize: (value) =>
    wholeNumber(value, 1) ? null : 'The batch size is a whole number of examples: 1 or more.',
  epochs: (value) => (wholeNumber(value, 1) ? null : 'Epochs must be a whole number: 1 or more.'),
  validationSplit: (value) => {
    const split = decimal(value);
    return split >= 0 && split <= 0.9
      ? null
      : 'The validation split is the fraction held out, from 0 to 0.9, such as 0.33.';
  },
  patience: (value) =>
    wholeNumber(value, 1) ? null : 'Patience is a whole number of epochs without improvement: 1 or more.',
  seed: (value) => (wholeNumber(value, Number.MIN_SAFE_INTEGER) ? null : 'The seed must be a whole number.'),
};

/**
 * Settings that learn for a task and batch size, from runs of the synthetic faces (npm run cli -- train):
 * the person task needs about 20 hidden units (3 give a few percent); plain SGD at batch 32 needs η near 3,
 * as the loss is the batch's mean (η 0.3 stays at chance); Adam learns at 0.001 per example, and needs 0.01
 * at batch 32 (0.001 stays at chance).
 */
export function suggestedSettings(
  task: FaceTask,
  batchSize: number,
  optimizer: string,
): { hidden: string; learningRate: string } {
  const hidden = task === 'person' ? '20' : '3';
  if (optimizer === 'adam' || optimizer === 'adamw') {
    return { hidden, learningRate: batchSize > 1 ? '0.01' : '0.001' };
  }
  return { hidden, learningRate: batchSize >= 16 ? '3' : batchSize > 1 ? '1' : '0.3' };
}

export class SetupForm {
  /** Fields the user has typed into or chosen: suggestions never overwrite them. */
  private readonly edited = new Set<string>();

  constructor(readonly form: HTMLFormElement) {
    form.noValidate = true;
    form.addEventListener('input', (event) => {
      const name = (event.target as HTMLInputElement).name;
      if (!name) return;
      if (event.isTrusted) this.edited.add(name);
      // A field that shows a problem is checked again as it changes, so the message goes once it is fixed.
      if (this.errorElement(name)) this.showProblem(name);
    });
    form.addEventListener('change', (event) => {
      const name = (event.target as HTMLInputElement).name;
      if (name && fieldRules[name]) this.showProblem(name);
    });
  }

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

  private field(name: string): HTMLInputElement | null {
    const element = this.form.elements.namedItem(name);
    return element instanceof HTMLInputElement ? element : null;
  }

  private errorElement(name: string): HTMLElement | null {
    return this.form.querySelector<HTMLElement>(`.field-error[data-for="${name}"]`);
  }

  /** Shows the field's problem under it, or removes the message; true when the field is fine. */
  private showProblem(name: string): boolean {
    const field = this.field(name);
    const rule = fieldRules[name];
    if (!field || !rule) return true;
    const problem = field.disabled ? null : rule(field.value);
    let message = this.errorElement(name);
    if (problem === null) {
      message?.remove();
      field.removeAttribute('aria-invalid');
      return true;
    }
    if (!message) {
      message = document.createElement('span');
      message.className = 'field-error';
      message.dataset.for = name;
      message.id = `${name}-error`;
      message.setAttribute('role', 'alert');
      (field.closest('label') ?? field).append(message);
    }
    message.textContent = problem;
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', message.id);
    return false;
  }

  /** Checks every field and shows each problem beside its field (focusing the first); true when all are fine. */
  check(focusProblem: boolean): boolean {
    const wrong = Object.keys(fieldRules).filter((name) => !this.showProblem(name));
    if (wrong.length > 0 && focusProblem) this.field(wrong[0])?.focus();
    return wrong.length === 0;
  }

  /**
   * Puts the settings that learn for this task and batch size into the fields the user has not edited, and
   * says what it suggested.
   */
  applySuggestions(): string {
    const task = this.value('task') as FaceTask;
    const batchSize = Number(this.value('batchSize'));
    const suggested = suggestedSettings(task, batchSize, this.value('optimizer'));
    const kept: string[] = [];
    for (const [name, value] of Object.entries(suggested)) {
      if (this.edited.has(name)) {
        if (this.value(name) !== value) kept.push(name === 'hidden' ? 'hidden units' : 'learning rate');
        continue;
      }
      this.set(name, value);
      this.showProblem(name);
    }
    const yours = kept.length > 0 ? ` (your ${kept.join(' and ')} kept)` : '';
    return `Suggested for the ${task} task at batch size ${batchSize}: ${suggested.hidden} hidden units, learning rate ${suggested.learningRate}${yours}.`;
  }

  /** The form's values, or null (with each problem shown beside its field) when a field is invalid. */
  read(focusProblem = false): FormChoice | null {
    if (!this.check(focusProblem)) return null;
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
