// Netpbm greyscale images (PGM): P5 (binary) and P2 (plain text), any maxval from 1 to 65535.
// Parsing works on bytes only, so it runs the same in Node and in the browser; reading files is the caller's job.
// A header may lie about the image size: the sample count is checked against the bytes present before
// anything is allocated.

import { MlpError } from '../errors.js';

export interface PgmImage {
  width: number;
  height: number;
  /** the largest sample value the file declares (1..65535); black is 0, white is maxval */
  maxval: number;
  /** width × height samples, row-major from the top-left corner, each in [0, maxval] */
  samples: Uint16Array;
}

const maxMaxval = 65535;
/** Wider than any real image, small enough that width × height stays an exact integer. */
const maxSide = 1 << 24;

const space = 0x20;
const hash = 0x23;
const zero = 0x30;
const nine = 0x39;

function isWhitespace(byte: number): boolean {
  // space, tab, line feed, vertical tab, form feed, carriage return
  return byte === space || (byte >= 0x09 && byte <= 0x0d);
}

function isDigit(byte: number): boolean {
  return byte >= zero && byte <= nine;
}

/** A cursor over the header: whitespace and `#` comments (to the end of the line) may come between fields. */
class HeaderReader {
  position = 2;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fail: (what: string) => never,
  ) {}

  skipWhitespaceAndComments(): void {
    const bytes = this.bytes;
    while (this.position < bytes.length) {
      const byte = bytes[this.position];
      if (isWhitespace(byte)) {
        this.position++;
      } else if (byte === hash) {
        while (
          this.position < bytes.length &&
          bytes[this.position] !== 0x0a &&
          bytes[this.position] !== 0x0d
        ) {
          this.position++;
        }
      } else {
        return;
      }
    }
  }

  /** A decimal integer in [1, max], preceded by at least one whitespace character or comment. */
  readField(field: string, max: number): number {
    const before = this.position;
    this.skipWhitespaceAndComments();
    if (this.position === before) this.fail(`expected whitespace before the ${field}`);
    if (this.position >= this.bytes.length) this.fail(`the header ends before the ${field}`);
    let value = 0;
    const start = this.position;
    while (this.position < this.bytes.length && isDigit(this.bytes[this.position])) {
      value = value * 10 + (this.bytes[this.position] - zero);
      this.position++;
      if (value > max) this.fail(`the ${field} is larger than ${max}`);
    }
    if (this.position === start) {
      this.fail(
        `expected the ${field} as a decimal number, found ${describeByte(this.bytes[this.position])}`,
      );
    }
    if (value < 1) this.fail(`the ${field} is 0; it must be at least 1`);
    return value;
  }
}

function describeByte(byte: number | undefined): string {
  if (byte === undefined) return 'the end of the file';
  return byte >= 0x21 && byte <= 0x7e
    ? `'${String.fromCharCode(byte)}'`
    : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/** What a PGM header says, and where it ends. */
interface PgmHeader {
  binary: boolean;
  width: number;
  height: number;
  maxval: number;
  /** index of the first byte after the maxval */
  end: number;
}

function readHeader(bytes: Uint8Array, fail: (what: string) => never): PgmHeader {
  if (bytes.length < 2 || bytes[0] !== 0x50 /* P */ || (bytes[1] !== 0x35 && bytes[1] !== 0x32)) {
    const found =
      bytes.length < 2 ? `${bytes.length} byte(s)` : `${describeByte(bytes[0])} ${describeByte(bytes[1])}`;
    fail(`expected the magic number P5 (binary) or P2 (plain), found ${found}`);
  }
  const header = new HeaderReader(bytes, fail);
  const width = header.readField('width', maxSide);
  const height = header.readField('height', maxSide);
  const maxval = header.readField('maxval', maxMaxval);
  return { binary: bytes[1] === 0x35, width, height, maxval, end: header.position };
}

/** Plain samples are at most 5 digits; this allows generous whitespace around each. */
const plainBytesPerSample = 16;
/** The most header bytes readPgmLimit needs to see (comments included). */
export const pgmHeaderLimit = 1 << 16;

/**
 * The most bytes a PGM file whose first bytes are `head` can hold, from its header: exactly the header and
 * the raster for P5; for P2, `plainBytesPerSample` per sample. A reader reads no further, so a file that
 * never ends (a link to /dev/zero) costs no more than its header claims. MlpError('invalid-file') when
 * `head` (up to pgmHeaderLimit bytes) holds no complete header.
 */
export function pgmByteLimit(head: Uint8Array, name: string): number {
  const fail = (what: string): never => {
    throw new MlpError('invalid-file', `${name}: not a valid PGM image: ${what}`);
  };
  const { binary, width, height, maxval, end } = readHeader(head, fail);
  if (end >= head.length) fail('the header does not end (no byte after the maxval)');
  const pixels = width * height;
  return binary ? end + 1 + pixels * (maxval > 255 ? 2 : 1) : end + pixels * plainBytesPerSample + 1;
}

/**
 * Parses a PGM file: one image, nothing after it (trailing bytes are refused: Netpbm allows several images
 * in one file, which this reader does not read). `name` (a path or file name) only serves the error messages.
 * Throws MlpError('invalid-file') naming the file and what is wrong with it.
 */
export function parsePgm(bytes: Uint8Array, name: string): PgmImage {
  const fail = (what: string): never => {
    throw new MlpError('invalid-file', `${name}: not a valid PGM image: ${what}`);
  };
  const { binary, width, height, maxval, end } = readHeader(bytes, fail);
  const pixelCount = width * height;

  if (binary) {
    // Exactly one whitespace character separates maxval from the raster.
    if (end >= bytes.length || !isWhitespace(bytes[end])) {
      fail('expected one whitespace character after the maxval, before the pixels');
    }
    const rasterStart = end + 1;
    const bytesPerSample = maxval > 255 ? 2 : 1;
    const needed = pixelCount * bytesPerSample;
    const present = bytes.length - rasterStart;
    if (present < needed) {
      fail(
        `the header says ${width}×${height} pixels of ${bytesPerSample} byte(s) (${needed} bytes) ` +
          `but only ${present} bytes follow it`,
      );
    }
    if (present > needed) {
      fail(
        `${present - needed} bytes follow the ${needed} bytes of ${width}×${height} pixels; expected the file to end there (one image per file)`,
      );
    }
    return {
      width,
      height,
      maxval,
      samples: readBinarySamples(bytes, rasterStart, width, pixelCount, maxval, fail),
    };
  }
  // Plain: each sample takes at least one digit and one separator, so a lying header is caught here.
  const present = bytes.length - end;
  if (present < 2 * pixelCount - 1) {
    fail(
      `the header says ${width}×${height} pixels (${pixelCount} numbers) but only ${present} bytes follow it`,
    );
  }
  return {
    width,
    height,
    maxval,
    samples: readPlainSamples(bytes, end, pixelCount, maxval, fail),
  };
}

function readBinarySamples(
  bytes: Uint8Array,
  start: number,
  width: number,
  count: number,
  maxval: number,
  fail: (what: string) => never,
): Uint16Array {
  const samples = new Uint16Array(count);
  const wide = maxval > 255;
  for (let i = 0; i < count; i++) {
    // 16-bit samples are big-endian (most significant byte first).
    const value = wide ? (bytes[start + 2 * i] << 8) | bytes[start + 2 * i + 1] : bytes[start + i];
    if (value > maxval) {
      fail(
        `the pixel at row ${Math.floor(i / width)}, column ${i % width} is ${value}, above the maxval ${maxval}`,
      );
    }
    samples[i] = value;
  }
  return samples;
}

function readPlainSamples(
  bytes: Uint8Array,
  start: number,
  count: number,
  maxval: number,
  fail: (what: string) => never,
): Uint16Array {
  const samples = new Uint16Array(count);
  let position = start;
  for (let i = 0; i < count; i++) {
    const separatorStart = position;
    while (position < bytes.length && isWhitespace(bytes[position])) position++;
    if (position === separatorStart) {
      fail(`expected whitespace before pixel ${i}, found ${describeByte(bytes[position])}`);
    }
    if (position >= bytes.length) fail(`the file ends after ${i} of ${count} pixels`);
    let value = 0;
    const digitsStart = position;
    while (position < bytes.length && isDigit(bytes[position])) {
      value = value * 10 + (bytes[position] - zero);
      position++;
      if (value > maxval) fail(`pixel ${i} is larger than the maxval ${maxval}`);
    }
    if (position === digitsStart) {
      fail(`expected pixel ${i} as a decimal number, found ${describeByte(bytes[position])}`);
    }
    samples[i] = value;
  }
  while (position < bytes.length && isWhitespace(bytes[position])) position++;
  if (position < bytes.length) {
    fail(
      `${describeByte(bytes[position])} follows the ${count} pixels; expected only whitespace (one image per file)`,
    );
  }
  return samples;
}
