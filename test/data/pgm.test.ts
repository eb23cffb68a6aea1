import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maxPgmFileBytes, readFileBytes, readPgmFile } from '../../src/data/node-files.js';
import { parsePgm } from '../../src/data/pgm.js';
import { MlpError } from '../../src/errors.js';

const ascii = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

function expectInvalid(bytes: Uint8Array, message: RegExp) {
  try {
    parsePgm(bytes, 'img.pgm');
  } catch (error) {
    expect(error).toBeInstanceOf(MlpError);
    expect((error as MlpError).code).toBe('invalid-file');
    expect((error as MlpError).message).toMatch(/^img\.pgm: /);
    expect((error as MlpError).message).toMatch(message);
    return;
  }
  throw new Error('expected an MlpError');
}

describe('parsePgm', () => {
  it('reads a binary P5 image with 8-bit samples', () => {
    const image = parsePgm(concat(ascii('P5\n3 2\n200\n'), Uint8Array.of(0, 1, 2, 100, 199, 200)), 'a.pgm');
    expect(image).toEqual({
      width: 3,
      height: 2,
      maxval: 200,
      samples: Uint16Array.of(0, 1, 2, 100, 199, 200),
    });
  });

  it('reads 16-bit samples big-endian when maxval > 255', () => {
    const image = parsePgm(concat(ascii('P5 2 1 65535\n'), Uint8Array.of(0x01, 0x02, 0xff, 0xff)), 'a.pgm');
    expect([...image.samples]).toEqual([0x0102, 0xffff]);
    expect(image.maxval).toBe(65535);
  });

  it('reads a plain P2 image, with comments anywhere in the header', () => {
    const text = '#lead\nP2 # after magic\n# own line\n2#w\n# between\n2\n#before maxval\n 9\n0 1\n\t9   3\n';
    // A comment right after the magic number, with no whitespace, is allowed by Netpbm too.
    const image = parsePgm(ascii(text.replace('#lead\n', '')), 'a.pgm');
    expect(image).toEqual({ width: 2, height: 2, maxval: 9, samples: Uint16Array.of(0, 1, 9, 3) });
  });

  it('reads P2 with maxval above 255', () => {
    expect([...parsePgm(ascii('P2 2 1 1000 999 1000'), 'a.pgm').samples]).toEqual([999, 1000]);
  });

  it('refuses bytes after the pixels (one image per file), but not whitespace after plain pixels', () => {
    expectInvalid(
      concat(ascii('P5 1 1 255\n'), Uint8Array.of(7, 1, 2, 3)),
      /3 bytes follow the 1 bytes of 1×1 pixels; expected the file to end there/,
    );
    expectInvalid(ascii('P2 2 1 9 1 2 3'), /'3' follows the 2 pixels; expected only whitespace/);
    expect([...parsePgm(ascii('P2 2 1 9 1 2 \n'), 'a.pgm').samples]).toEqual([1, 2]);
  });

  it('explains what is wrong with malformed files', () => {
    expectInvalid(ascii(''), /magic number P5 .* found 0 byte/);
    expectInvalid(ascii('P6 1 1 255\n\0\0\0'), /magic number.*'P' '6'/);
    expectInvalid(ascii('P5'), /before the width/);
    expectInvalid(ascii('P5 x'), /width as a decimal number, found 'x'/);
    expectInvalid(ascii('P5 0 1 255\n'), /width is 0/);
    expectInvalid(ascii('P5 1 1 65536\n\0\0'), /maxval is larger than 65535/);
    expectInvalid(ascii('P5 1 1 255'), /one whitespace character after the maxval/);
    expectInvalid(ascii('P5 32 30 255\nabc'), /32×30 pixels of 1 byte\(s\) \(960 bytes\) but only 3 bytes/);
    expectInvalid(ascii('P5 2 1 300\n\0\0\0'), /4 bytes\) but only 3/);
    expectInvalid(
      concat(ascii('P5 2 2 100\n'), Uint8Array.of(0, 0, 0, 101)),
      /row 1, column 1 is 101, above the maxval 100/,
    );
    expectInvalid(ascii('P2 2 1 9 1 10'), /pixel 1 is larger than the maxval 9/);
    expectInvalid(ascii('P2 2 2 9 1 2 x 4'), /expected pixel 2 as a decimal number, found 'x'/);
    expectInvalid(ascii('P2 3 1 9 1 2   '), /ends after 2 of 3 pixels/);
  });

  it('rejects a lying header before allocating anything', () => {
    // 16 million × 16 million pixels claimed, 4 bytes present: no 512 TB allocation, just an error.
    expectInvalid(ascii('P5 16777216 16777216 255\n1234'), /but only 4 bytes follow/);
    expectInvalid(ascii('P2 100000 100000 255\n1 2 3'), /10000000000 numbers\) but only 6 bytes/);
    expectInvalid(ascii('P5 99999999999 1 255\n'), /width is larger than 16777216/);
  });
});

describe('readPgmFile', () => {
  const folder = mkdtempSync(join(tmpdir(), 'webgpu-mlp-pgm-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const file = (name: string, bytes: Uint8Array) => {
    writeFileSync(join(folder, name), bytes);
    return join(folder, name);
  };
  const rejects = async (path: string, message: RegExp) => {
    const error = await readPgmFile(path).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(MlpError);
    expect((error as MlpError).code).toBe('invalid-file');
    expect((error as MlpError).message).toMatch(message);
  };

  it('reads a valid image, binary or plain, larger than the first chunk of 64 KiB', async () => {
    const pixels = Uint8Array.from({ length: 300 * 300 }, (_, i) => i % 251);
    const binary = concat(ascii('P5 300 300 255\n'), pixels);
    expect(await readPgmFile(file('big.pgm', binary))).toEqual(binary);
    const plain = ascii(`P2 300 300 255\n${[...pixels].join(' ')}\n`);
    expect(parsePgm(await readPgmFile(file('big-plain.pgm', plain)), 'p').samples).toEqual(
      Uint16Array.from(pixels),
    );
  });

  it('a link to /dev/zero is refused at once, without reading on', async () => {
    symlinkSync('/dev/zero', join(folder, 'zero.pgm'));
    const started = performance.now();
    await rejects(join(folder, 'zero.pgm'), /magic number P5 .* found byte 0x00 byte 0x00/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('readFileBytes (CSV, .list files) refuses a link to /dev/zero before reading: not a regular file', async () => {
    symlinkSync('/dev/zero', join(folder, 'zero.csv'));
    const error = await readFileBytes(join(folder, 'zero.csv'), 'CSV file').catch(
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(MlpError);
    expect((error as MlpError).message).toMatch(/zero\.csv: it is not a regular file/);
  });

  it('reads no further than the header allows: a longer file, or a header claiming more than 256 MiB, is refused', async () => {
    const long = concat(ascii('P5 300 300 255\n'), new Uint8Array(300 * 300 + 70_000));
    await rejects(file('long.pgm', long), /longer than the 90015 bytes its header allows/);
    await rejects(
      file('huge.pgm', ascii('P5 20000 20000 65535\n\0\0')),
      new RegExp(`claims an image of up to 800000021 bytes; images up to ${maxPgmFileBytes} bytes are read`),
    );
  });
});
