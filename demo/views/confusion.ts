// Confusion matrix as a heat map: rows are the actual class, columns the predicted one; the diagonal is
// right. Counts are written in every cell so the picture reads from the back of the room.

export function drawConfusionMatrix(
  canvas: HTMLCanvasElement,
  confusion: ArrayLike<number>,
  classNames: string[],
): void {
  const classes = classNames.length;
  const context = canvas.getContext('2d');
  if (!context) return;
  const scale = window.devicePixelRatio || 1;
  const size = 420;
  canvas.width = size * scale;
  canvas.height = size * scale;
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.clearRect(0, 0, size, size);

  const showNames = classes <= 10;
  const margin = showNames ? 92 : 30;
  const cell = (size - margin - 4) / classes;
  const rowTotals = Array.from({ length: classes }, (_, actual) => {
    let total = 0;
    for (let predicted = 0; predicted < classes; predicted++)
      total += confusion[actual * classes + predicted];
    return total;
  });

  const fontSize = Math.max(9, Math.min(20, cell * 0.38));
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  for (let actual = 0; actual < classes; actual++) {
    for (let predicted = 0; predicted < classes; predicted++) {
      const count = confusion[actual * classes + predicted];
      const share = rowTotals[actual] > 0 ? count / rowTotals[actual] : 0;
      const x = margin + predicted * cell;
      const y = margin + actual * cell;
      const right = actual === predicted;
      // Right answers in green, mistakes in red, deeper for a larger share of the row.
      const hue = right ? '31, 122, 77' : '180, 35, 24';
      context.fillStyle = count === 0 ? '#f5f7fb' : `rgba(${hue}, ${0.15 + 0.85 * share})`;
      context.fillRect(x + 1, y + 1, cell - 2, cell - 2);
      if (cell >= 14) {
        context.fillStyle = share > 0.5 ? '#ffffff' : '#111827';
        context.font = `600 ${fontSize}px system-ui, sans-serif`;
        context.fillText(String(count), x + cell / 2, y + cell / 2);
      }
    }
  }

  context.fillStyle = '#374151';
  context.font = `600 ${Math.min(15, Math.max(10, cell * 0.3))}px system-ui, sans-serif`;
  for (let k = 0; k < classes; k++) {
    const label = showNames ? classNames[k] : String(k + 1);
    const middle = margin + (k + 0.5) * cell;
    context.textAlign = 'right';
    context.fillText(label, margin - 8, middle);
    context.save();
    context.translate(middle, margin - 8);
    context.rotate(showNames ? -Math.PI / 4 : 0);
    context.textAlign = showNames ? 'left' : 'center';
    context.fillText(label, 0, 0);
    context.restore();
  }
}
