// Fuzzing the file readers with fast-check: thousands of generated files, and valid files mutated byte by
// byte. Every reader must return something consistent or throw MlpError('invalid-file'); never hang, never
// throw anything else ('invalid-data' for a well-formed file with too few classes; a RangeError from a huge typed array would mean a lying header was believed).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvFeatures } from '../../src/data/csv.js';
import { decodeFace, parseFaceName, parseList } from '../../src/data/faces.js';
import { parsePgm } from '../../src/data/pgm.js';
import { MlpError } from '../../src/errors.js';

const runs = 3000;

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 8 }),
      // digits and separators, to make headers lie about sizes
      fc.constantFrom(
        ...['9', '99999999', '65535', ' ', '\n', '#', '# c\n', '0', '-1'].map((t) =>
          new TextEncoder().encode(t),
        ),
      ),
    ),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = bytes;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'set' && at < out.length) {
      out = out.slice();
      out[at] = m.value;
    } else if (m.kind === 'delete') {
      out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + m.length)]);
    } else if (m.kind === 'insert') {
      out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)]);
    } else if (m.kind === 'truncate') {
      out = out.subarray(0, at);
    }
  }
  return out;
}

/** Runs `read`; passes when it returns (and `check` agrees) or throws MlpError for a bad file or data set. */
function readsOrRejects<T>(read: () => T, check: (value: T) => void): void {
  let value: T;
  try {
    value = read();
  } catch (error) {
    if (!(error instanceof MlpError) || !['invalid-file', 'invalid-data'].includes(error.code)) throw error;
    return;
  }
  check(value);
}

const validPgm = fc
  .record({
    plain: fc.boolean(),
    width: fc.integer({ min: 1, max: 12 }),
    height: fc.integer({ min: 1, max: 12 }),
    maxval: fc.oneof(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 256, max: 65535 })),
    comment: fc.boolean(),
    seed: fc.nat(),
  })
  .map(({ plain, width, height, maxval, comment, seed }) => {
    const samples = Array.from({ length: width * height }, (_, i) => (seed + i * 7919) % (maxval + 1));
    const header = `P${plain ? 2 : 5}\n${comment ? '# made by fuzz\n' : ''}${width} ${height}\n${maxval}\n`;
    const headerBytes = new TextEncoder().encode(header);
    let body: Uint8Array;
    if (plain) body = new TextEncoder().encode(samples.join(' '));
    else if (maxval > 255) body = Uint8Array.from(samples.flatMap((s) => [s >> 8, s & 255]));
    else body = Uint8Array.from(samples);
    return { bytes: Uint8Array.from([...headerBytes, ...body]), width, height, maxval, samples };
  });

function checkImage(bytes: Uint8Array) {
  return (image: ReturnType<typeof parsePgm>) => {
    expect(image.samples.length).toBe(image.width * image.height);
    // no sample without at least one byte of file behind it: nothing was allocated on the header's word alone
    expect(image.samples.length).toBeLessThanOrEqual(bytes.length);
    for (const sample of image.samples) expect(sample).toBeLessThanOrEqual(image.maxval);
  };
}

describe('fuzzing the PGM reader', () => {
  it('reads every valid generated image exactly', () => {
    fc.assert(
      fc.property(validPgm, ({ bytes, width, height, maxval, samples }) => {
        expect(parsePgm(bytes, 'f.pgm')).toEqual({
          width,
          height,
          maxval,
          samples: Uint16Array.from(samples),
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('reads or rejects mutated images, never believing a lying header', () => {
    fc.assert(
      fc.property(validPgm, fc.array(mutation, { minLength: 1, maxLength: 6 }), (valid, mutations) => {
        const bytes = mutate(valid.bytes, mutations);
        readsOrRejects(() => parsePgm(bytes, 'f.pgm'), checkImage(bytes));
      }),
      { numRuns: runs },
    );
  });

  it('reads or rejects arbitrary bytes and headers claiming huge sizes', () => {
    const hugeHeader = fc
      .tuple(
        fc.constantFrom('P2', 'P5'),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 70000 }),
        fc.uint8Array({ maxLength: 64 }),
      )
      .map(([magic, w, h, maxval, tail]) =>
        Uint8Array.from([...new TextEncoder().encode(`${magic} ${w} ${h} ${maxval}\n`), ...tail]),
      );
    const arbitrary = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((tail) => Uint8Array.from([0x50, 0x35, ...tail])),
      hugeHeader,
    );
    fc.assert(
      fc.property(arbitrary, (bytes) => readsOrRejects(() => parsePgm(bytes, 'f.pgm'), checkImage(bytes))),
      { numRuns: runs },
    );
  });
});

const csvText = fc
  .record({
    header: fc.boolean(),
    rows: fc.integer({ min: 1, max: 8 }),
    features: fc.integer({ min: 1, max: 4 }),
    seed: fc.nat(),
  })
  .map(({ header, rows, features, seed }) => {
    const lines = header ? [[...Array.from({ length: features }, (_, f) => `f${f}`), 'label'].join(',')] : [];
    for (let r = 0; r < rows; r++) {
      const values = Array.from({ length: features }, (_, f) => (((seed + r * 31 + f * 17) % 200) - 100) / 8);
      lines.push([...values, r % 2 === 0 ? 'cat' : '"dog, big"'].join(','));
    }
    return lines.join('\n');
  });

function checkCsv(data: ReturnType<typeof parseCsv>) {
  expect(data.inputs.length).toBe(data.count * data.inputSize);
  expect(data.targets.length).toBe(data.count * data.outputSize);
  expect(data.outputSize).toBe(data.classNames.length);
  for (const x of data.inputs) expect(Number.isFinite(x)).toBe(true);
  for (const label of data.labels) expect(label).toBeLessThan(data.outputSize);
}

const textMutation = fc.array(mutation, { minLength: 1, maxLength: 6 });
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('fuzzing the CSV reader', () => {
  it('reads or rejects mutated CSV files', () => {
    fc.assert(
      fc.property(csvText, textMutation, (text, mutations) => {
        readsOrRejects(() => parseCsv(decode(mutate(encode(text), mutations)), 'f.csv'), checkCsv);
      }),
      { numRuns: runs },
    );
  });

  it('reads or rejects arbitrary text made of CSV characters', () => {
    const chars = fc.constantFrom(...'0123456789.,-+eE"\n\r ;abc#\u00e9'.split(''));
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 120 }).map((cs) => cs.join('')),
        (text) => {
          readsOrRejects(() => parseCsv(text, 'f.csv'), checkCsv);
          readsOrRejects(
            () => parseCsvFeatures(text, 'f.csv', 2),
            (rows) => expect(rows.inputs.length).toBe(rows.count * 2),
          );
        },
      ),
      { numRuns: runs },
    );
  });
  it('stores any double written as a feature exactly as float32 rounds it, or rejects it', () => {
    // The float32 edge: a number JavaScript holds but a Float32Array turns into Infinity must be refused.
    const value = fc.oneof(
      fc.double(),
      fc.double({ min: 3e38, max: 4e38 }),
      fc.double({ min: -4e38, max: -3e38 }),
    );
    fc.assert(
      fc.property(value, value, (a, b) => {
        readsOrRejects(
          () => parseCsv(`${a},${b},x\n${b},${a},y\n`, 'f.csv'),
          (data) => {
            checkCsv(data);
            // -0 is written '0'
            expect([...data.inputs]).toEqual([a, b, b, a].map((v) => Math.fround(Number(`${v}`))));
          },
        );
      }),
      { numRuns: runs },
    );
  });
});

describe('fuzzing the .list reader', () => {
  const listText = fc
    .array(
      fc.constantFrom(
        'an2i/an2i_left_angry_open_4.pgm',
        'x/y.bad',
        '',
        '# c',
        'kk49/kk49_up_sad_sunglasses_4.pgm',
      ),
      {
        minLength: 1,
        maxLength: 10,
      },
    )
    .map((lines) => lines.join('\n'));

  it('reads or rejects mutated and arbitrary lists', () => {
    const text = fc.oneof(
      fc.tuple(listText, textMutation).map(([list, mutations]) => decode(mutate(encode(list), mutations))),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(text, (list) => {
        readsOrRejects(
          () => parseList(list, 'f.list'),
          (paths) => {
            expect(paths.length).toBeGreaterThan(0);
            for (const path of paths) expect(path.endsWith('.pgm') || path.endsWith('.bad')).toBe(true);
          },
        );
      }),
      { numRuns: runs },
    );
  });
});

describe('fuzzing face names and face files', () => {
  it('reads or rejects arbitrary file names', () => {
    const part = fc.constantFrom(
      'an2i',
      'left',
      'up',
      'sad',
      'happy',
      'open',
      'sunglasses',
      '4',
      '2',
      '',
      'x',
    );
    const name = fc.oneof(
      fc.array(part, { maxLength: 7 }).map((parts) => `dir/${parts.join('_')}.pgm`),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(name, (path) =>
        readsOrRejects(
          () => parseFaceName(path),
          (face) => expect([1, 2, 4]).toContain(face.scale),
        ),
      ),
      { numRuns: runs },
    );
  });

  it('decodes or rejects mutated face files, pixels always in [0, 1] of maxval', () => {
    fc.assert(
      fc.property(validPgm, fc.array(mutation, { maxLength: 4 }), (valid, mutations) => {
        const bytes = mutate(valid.bytes, mutations);
        readsOrRejects(
          () => decodeFace(bytes, 'a/kk49_up_sad_open_4.pgm'),
          (picture) => {
            expect(picture.pixels.length).toBe(picture.width * picture.height);
            for (const pixel of picture.pixels) expect(pixel >= 0 && pixel <= 1).toBe(true);
          },
        );
      }),
      { numRuns: runs },
    );
  });
});
