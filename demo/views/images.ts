// Grey images (pixels in [0, 1], row-major) and weight pictures (signed values) drawn on canvases.

/** Draws one grey image at one canvas pixel per image pixel; CSS scales it up with pixelated rendering. */
export function drawGreyImage(
  canvas: HTMLCanvasElement,
  pixels: ArrayLike<number>,
  width: number,
  height: number,
): void {
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const grey = Math.round(255 * Math.min(1, Math.max(0, pixels[i] ?? 0)));
    image.data.set([grey, grey, grey, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

/** A labelled thumbnail for the sample and mistake grids. */
export function imageTile(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  caption: string,
  wrong = false,
): HTMLElement {
  const figure = document.createElement('figure');
  const canvas = document.createElement('canvas');
  drawGreyImage(canvas, pixels, width, height);
  const label = document.createElement('figcaption');
  label.textContent = caption;
  if (wrong) label.className = 'wrong';
  figure.append(canvas, label);
  return figure;
}

const positive = [194, 65, 12];
const negative = [29, 78, 216];

/**
 * Signed value → colour: white at 0, deepening to orange-red for positive and blue for negative, with
 * `scale` (the largest magnitude shown) at full colour.
 */
function signedColour(value: number, scale: number): [number, number, number] {
  const t = scale > 0 ? Math.min(1, Math.abs(value) / scale) : 0;
  const end = value >= 0 ? positive : negative;
  return [0, 1, 2].map((c) => Math.round(255 + (end[c] - 255) * t)) as [number, number, number];
}

/** Draws values as a width × height picture of signed colours, scaled so the largest magnitude is full colour. */
export function drawSignedImage(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  width: number,
  height: number,
  scale = maxMagnitude(values),
): void {
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    image.data.set([...signedColour(values[i] ?? 0, scale), 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

export function maxMagnitude(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}
