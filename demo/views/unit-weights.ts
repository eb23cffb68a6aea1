// Mitchell's picture of what a face network learned (Machine Learning, fig. 4.10): each hidden unit's
// input weights drawn in the layout of the image they multiply, with the unit's weights to each output
// beside it.
import { drawSignedImage, maxMagnitude } from './images.js';

export interface FirstLayerWeights {
  /** hiddenUnits × (imageWidth·imageHeight), row-major */
  hidden: Float32Array;
  hiddenUnits: number;
  /** outputs × hiddenUnits, row-major: the next layer's weights (the output layer for one hidden layer) */
  next: Float32Array;
  nextBiases: Float32Array;
  nextUnits: number;
  /** names of the next layer's units: class names, or "h2.1"… when there are more hidden layers */
  nextNames: string[];
}

const maxUnitsShown = 24;

export function renderUnitWeights(
  container: HTMLElement,
  weights: FirstLayerWeights,
  imageWidth: number,
  imageHeight: number,
): void {
  const inputs = imageWidth * imageHeight;
  // 5 screen pixels per image pixel for faces; wider cells for a table's handful of features.
  const pixelSize = Math.max(5, Math.min(32, Math.floor(160 / imageWidth)));
  const shown = Math.min(weights.hiddenUnits, maxUnitsShown);
  if (container.childElementCount !== shown) {
    container.replaceChildren(
      ...Array.from({ length: shown }, (_, unit) => unitFigure(unit, weights.nextNames)),
    );
  }
  const nextScale = maxMagnitude(weights.next);
  // Output squares fit beside the picture; their names only while they are large enough to read.
  const square = Math.max(
    6,
    Math.min(20, Math.floor(Math.max(80, imageHeight * pixelSize) / weights.nextUnits)),
  );
  container.style.setProperty('--output-square', `${square}px`);
  container.classList.toggle('unnamed-outputs', square < 16);
  for (let unit = 0; unit < shown; unit++) {
    const figure = container.children[unit] as HTMLElement;
    const [picture, strip] = figure.querySelectorAll('canvas');
    const inputWeights = weights.hidden.subarray(unit * inputs, (unit + 1) * inputs);
    drawSignedImage(picture, inputWeights, imageWidth, imageHeight);
    picture.style.width = `${imageWidth * pixelSize}px`;
    picture.style.height = `${imageHeight * pixelSize}px`;
    // One square per next-layer unit: the weight from this hidden unit to it.
    const outgoing = Array.from(
      { length: weights.nextUnits },
      (_, k) => weights.next[k * weights.hiddenUnits + unit],
    );
    drawSignedImage(strip, outgoing, 1, weights.nextUnits, nextScale);
    strip.style.width = `${square}px`;
    strip.style.height = `${weights.nextUnits * square}px`;
    strip.title = outgoing.map((w, k) => `${weights.nextNames[k]}: ${w.toFixed(3)}`).join('\n');
    const caption = figure.querySelector('figcaption');
    if (caption)
      caption.textContent = `Hidden unit ${unit + 1} · max |w| ${maxMagnitude(inputWeights).toFixed(3)}`;
  }
}

function unitFigure(unit: number, nextNames: string[]): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'unit';
  const picture = document.createElement('canvas');
  picture.setAttribute('aria-label', `Input weights of hidden unit ${unit + 1}`);
  const outputs = document.createElement('div');
  outputs.className = 'unit-outputs';
  const strip = document.createElement('canvas');
  strip.setAttribute('aria-label', `Weights from hidden unit ${unit + 1} to ${nextNames.join(', ')}`);
  const names = document.createElement('div');
  names.className = 'unit-output-names';
  names.replaceChildren(
    ...nextNames.map((name) => {
      const span = document.createElement('span');
      span.textContent = name;
      return span;
    }),
  );
  outputs.append(strip, names);
  const caption = document.createElement('figcaption');
  figure.append(picture, outputs, caption);
  return figure;
}
