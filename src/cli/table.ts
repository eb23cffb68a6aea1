// Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned.

export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => [...(row[column] ?? '')].length)));
  const numeric = header.map((_, column) =>
    rows.every((row) => typeof row[column] === 'number' || /^[-\d.,%×]+$/.test(String(row[column]))),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => {
        const pad = ' '.repeat(widths[column] - [...cell].length);
        return numeric[column] ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [
    line(cells[0]),
    widths.map((width) => '─'.repeat(width)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

export const percent = (value: number | undefined): string =>
  value === undefined ? '–' : `${(100 * value).toFixed(1)}%`;
