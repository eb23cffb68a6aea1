// CSV data for problems that are not images: numeric feature columns and one label column (class names or
// numbers), an optional header row. Fields may be quoted ("a, b" and "" inside quotes, as RFC 4180).
// Every error names the line and column.

import { MlpError } from '../errors.js';
import { type Dataset, encodeTargets, type TargetEncoding } from './dataset.js';

export interface CsvOptions {
  /** the label column: a 0-based index, or a header name; default the last column */
  label?: number | string;
  /** whether the first row names the columns; default 'auto' (a header when a feature field is not a number) */
  header?: boolean | 'auto';
  /** default ',' */
  delimiter?: string;
  /** default 'one-hot' */
  targets?: TargetEncoding;
  /**
   * The classes, in output order (pass the training set's to read its validation or test set); default
   * the labels found, sorted (numerically when all are numbers).
   */
  classNames?: readonly string[];
}

export interface CsvDataset extends Dataset {
  /** the names of the feature columns (from the header, or "column N") */
  featureNames: string[];
}

interface Row {
  line: number;
  fields: string[];
}

/** Splits text into rows of fields, honouring quotes; blank lines are skipped. */
function tokenize(text: string, name: string, delimiter: string): Row[] {
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let fieldWasQuoted = false;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0].trim() !== '' || fieldWasQuoted) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    fieldWasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && field.trim() === '') {
      quoted = true;
      fieldWasQuoted = true;
      field = '';
    } else if (char === delimiter) {
      fields.push(field);
      field = '';
      fieldWasQuoted = false;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += char;
    }
  }
  if (quoted) throw new MlpError('invalid-file', `${name}, line ${rowLine}: a quoted field is never closed`);
  endRow();
  return rows;
}

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(field: string): number | undefined {
  const trimmed = field.trim();
  if (!decimal.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A feature value at `where` (the file, line and column): a finite number that float32, in which data sets
 * are stored, can hold. 1e39 is finite in JavaScript but would become Infinity in a Float32Array.
 */
function parseFeature(field: string, where: string): number {
  const value = parseNumber(field);
  if (value === undefined) {
    throw new MlpError('invalid-file', `${where}: expected a finite number, found ${describe(field)}`);
  }
  if (!Number.isFinite(Math.fround(value))) {
    throw new MlpError(
      'invalid-file',
      `${where}: ${describe(field)} is beyond the float32 range (±3.4e38) in which features are stored`,
    );
  }
  return value;
}

function describe(field: string): string {
  return field.length > 40 ? `'${field.slice(0, 40)}…'` : `'${field}'`;
}

/**
 * Parses CSV text into a data set with one output per class. `name` (the file name) serves the errors.
 */
export function parseCsv(text: string, name: string, options: CsvOptions = {}): CsvDataset {
  const { delimiter = ',', targets = 'one-hot' } = options;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new MlpError(
      'invalid-argument',
      `the CSV delimiter must be one character other than a quote or newline, got ${describe(delimiter)}`,
    );
  }
  const rows = tokenize(text, name, delimiter);
  if (rows.length === 0) throw new MlpError('invalid-file', `${name}: the file has no rows`);
  const columnCount = rows[0].fields.length;
  if (columnCount < 2) {
    throw new MlpError(
      'invalid-file',
      `${name}, line ${rows[0].line}: found 1 column; expected at least one feature column and one label column (delimiter ${describe(delimiter)})`,
    );
  }
  for (const row of rows) {
    if (row.fields.length !== columnCount) {
      throw new MlpError(
        'invalid-file',
        `${name}, line ${row.line}: found ${row.fields.length} columns, expected ${columnCount} as on line ${rows[0].line}`,
      );
    }
  }

  const first = rows[0].fields.map((field) => field.trim());
  const labelColumn = resolveLabelColumn(options.label, first, columnCount, name);
  const hasHeader =
    options.header === 'auto' || options.header === undefined
      ? first.some((field, column) => column !== labelColumn && parseNumber(field) === undefined)
      : options.header;
  if (typeof options.label === 'string' && !hasHeader) {
    throw new MlpError(
      'invalid-argument',
      `${name}: the label column '${options.label}' is named, but the file has no header row`,
    );
  }
  const columnNames = hasHeader ? first : first.map((_, column) => `column ${column + 1}`);
  const dataRows = hasHeader ? rows.slice(1) : rows;
  if (dataRows.length === 0)
    throw new MlpError('invalid-file', `${name}: the file has a header but no data rows`);

  const featureCount = columnCount - 1;
  const count = dataRows.length;
  const inputs = new Float32Array(count * featureCount);
  const rawLabels: string[] = [];
  dataRows.forEach((row, i) => {
    let f = 0;
    row.fields.forEach((field, column) => {
      if (column === labelColumn) {
        const label = field.trim();
        if (label === '') {
          throw new MlpError(
            'invalid-file',
            `${name}, line ${row.line}, column ${column + 1} (${columnNames[column]}): the label is empty`,
          );
        }
        rawLabels.push(label);
        return;
      }
      inputs[i * featureCount + f++] = parseFeature(
        field,
        `${name}, line ${row.line}, column ${column + 1} (${columnNames[column]})`,
      );
    });
  });

  const classNames = options.classNames ? [...options.classNames] : sortedClasses(rawLabels);
  const classIndex = new Map(classNames.map((className, index) => [className, index]));
  const numericIndex = new Map(classNames.map((className, index) => [parseNumber(className), index]));
  const labels = new Uint32Array(count);
  rawLabels.forEach((label, i) => {
    const numeric = parseNumber(label);
    const index = classIndex.get(label) ?? (numeric === undefined ? undefined : numericIndex.get(numeric));
    if (index === undefined) {
      throw new MlpError(
        'invalid-file',
        `${name}, line ${dataRows[i].line}, column ${labelColumn + 1} (${columnNames[labelColumn]}): the label ${describe(label)} is not one of the classes ${classNames.join(', ')}`,
      );
    }
    labels[i] = index;
  });
  if (classNames.length < 2) {
    throw new MlpError(
      'invalid-data',
      `${name}: every row has the label ${describe(classNames[0])}; at least two classes are needed`,
    );
  }

  return {
    inputs,
    targets: encodeTargets(labels, classNames.length, targets),
    count,
    inputSize: featureCount,
    outputSize: classNames.length,
    labels,
    classNames,
    width: featureCount,
    height: 1,
    sources: dataRows.map((row) => `${name}:${row.line}`),
    featureNames: columnNames.filter((_, column) => column !== labelColumn),
  };
}

function resolveLabelColumn(
  label: number | string | undefined,
  first: string[],
  columnCount: number,
  name: string,
): number {
  if (label === undefined) return columnCount - 1;
  if (typeof label === 'number') {
    if (!Number.isInteger(label) || label < 0 || label >= columnCount) {
      throw new MlpError(
        'invalid-argument',
        `${name}: the label column ${label} is not in 0..${columnCount - 1}`,
      );
    }
    return label;
  }
  const index = first.indexOf(label);
  if (index < 0) {
    throw new MlpError(
      'invalid-argument',
      `${name}: no column is named '${label}'; the header has ${first.join(', ')}`,
    );
  }
  return index;
}

/** Distinct labels, numerically sorted when all are numbers (1 and 1.0 are one class), otherwise in string order. */
function sortedClasses(labels: string[]): string[] {
  const distinct = [...new Set(labels)];
  const numbers = distinct.map(parseNumber);
  if (numbers.every((value) => value !== undefined)) {
    return [...new Set(numbers as number[])].sort((a, b) => a - b).map(String);
  }
  return distinct.sort();
}

/**
 * Reads unlabelled rows for prediction: every column is a feature, `featureCount` of them (a header row of
 * names is skipped when present). Returns count × featureCount values, row-major, and each row's line.
 */
export function parseCsvFeatures(
  text: string,
  name: string,
  featureCount: number,
  delimiter = ',',
): { inputs: Float32Array; count: number; sources: string[] } {
  const rows = tokenize(text, name, delimiter);
  const hasHeader = rows.length > 0 && rows[0].fields.some((field) => parseNumber(field) === undefined);
  const dataRows = hasHeader ? rows.slice(1) : rows;
  if (dataRows.length === 0) throw new MlpError('invalid-file', `${name}: the file has no data rows`);
  const inputs = new Float32Array(dataRows.length * featureCount);
  dataRows.forEach((row, i) => {
    if (row.fields.length !== featureCount) {
      throw new MlpError(
        'invalid-file',
        `${name}, line ${row.line}: found ${row.fields.length} columns, expected the model's ${featureCount} features (no label column)`,
      );
    }
    row.fields.forEach((field, column) => {
      inputs[i * featureCount + column] = parseFeature(
        field,
        `${name}, line ${row.line}, column ${column + 1}`,
      );
    });
  });
  return { inputs, count: dataRows.length, sources: dataRows.map((row) => `${name}:${row.line}`) };
}
