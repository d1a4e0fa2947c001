import { bfloat16BitsToFloat32, float32ToBfloat16Bits, roundToDType, WeftError } from '@weft/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { createSeededRandom } from './seeded-random.js';

/** A safetensors file assembled byte by byte per the format: u64 LE header length, header, data. */
function buildFile(header: string | object, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const headerBytes = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const file = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  file.set(headerBytes, 8);
  file.set(data, 8 + headerBytes.length);
  return file;
}

function randomValues(seed: number, count: number): Float32Array {
  const random = createSeededRandom(seed);
  return Float32Array.from({ length: count }, () => random.nextNormal() * 3);
}

function errorOf(action: () => unknown): WeftError {
  try {
    action();
  } catch (error) {
    if (WeftError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a WeftError, but nothing was thrown');
}

describe('writeSafetensors / readSafetensors round trip', () => {
  it('keeps F32 exactly and rounds F16 and BF16 to nearest even', () => {
    const a = randomValues(1, 3 * 5);
    const b = randomValues(2, 7);
    const c = randomValues(3, 2 * 2 * 3);
    const file = writeSafetensors(
      {
        'layers.0.w': { dtype: 'F32', shape: [3, 5], data: a },
        half: { dtype: 'F16', shape: [7], data: b },
        brain: { dtype: 'BF16', shape: [2, 2, 3], data: c },
      },
      { format: 'pt', note: 'seeded' },
    );
    const loaded = readSafetensors(file);
    expect([...loaded.keys()].sort()).toEqual(['brain', 'half', 'layers.0.w']);
    expect(loaded.get('layers.0.w')).toEqual({ dtype: 'F32', shape: [3, 5], data: a });
    const half = loaded.get('half')!;
    expect(half.dtype).toBe('F16');
    expect([...half.data]).toEqual([...b].map((value) => roundToDType(value, 'f16')));
    const brain = loaded.get('brain')!;
    expect(brain.shape).toEqual([2, 2, 3]);
    expect([...brain.data]).toEqual(
      [...c].map((value) => bfloat16BitsToFloat32(float32ToBfloat16Bits(value))),
    );
    // Rounding error bounds: half has 11 significant bits, bfloat16 has 8.
    for (let i = 0; i < b.length; i++)
      expect(Math.abs(half.data[i]! - b[i]!)).toBeLessThanOrEqual(Math.abs(b[i]!) * 2 ** -11);
    for (let i = 0; i < c.length; i++)
      expect(Math.abs(brain.data[i]! - c[i]!)).toBeLessThanOrEqual(Math.abs(c[i]!) * 2 ** -8);
  });

  it('round-trips I32 and I64 as int32, and empty tensors', () => {
    const ids = Int32Array.from([5, -7, 2147483647, -2147483648]);
    const file = writeSafetensors(
      new Map([
        ['ids', { dtype: 'I32' as const, shape: [4], data: ids }],
        ['positions', { dtype: 'I64' as const, shape: [2, 2], data: [0, 1, -2, 3000000000 - 2 ** 31] }],
        ['empty', { dtype: 'F32' as const, shape: [0, 4], data: [] }],
      ]),
    );
    const loaded = readSafetensors(file);
    expect(loaded.get('ids')).toEqual({ dtype: 'I32', shape: [4], data: ids });
    expect(loaded.get('positions')).toEqual({
      dtype: 'I64',
      shape: [2, 2],
      data: Int32Array.from([0, 1, -2, 852516352]),
    });
    expect(loaded.get('empty')).toEqual({ dtype: 'F32', shape: [0, 4], data: new Float32Array(0) });
  });

  it('rejects I64 values outside int32 on load, naming the tensor and index', () => {
    const file = writeSafetensors({ big: { dtype: 'I64', shape: [2], data: [1, 2 ** 31] } });
    const error = errorOf(() => readSafetensors(file));
    expect(error.code).toBe('input');
    expect(error.message).toContain('tensor "big"');
    expect(error.message).toContain('index 1');
    expect(error.message).toContain('2147483648');
  });

  it('rejects data whose length does not match the shape when writing', () => {
    const error = errorOf(() => writeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: [1, 2, 3] } }));
    expect(error.message).toMatch(/tensor "w".*6 values for shape \[2, 3\].*got 3 values/);
  });
});

describe('compatibility with the format', () => {
  it('reads a file laid out by hand per the specification', () => {
    const data = new Uint8Array(8 + 2 + 6 + 8);
    const view = new DataView(data.buffer);
    view.setFloat32(0, 1.5, true);
    view.setFloat32(4, -0.25, true);
    view.setUint16(8, 0x3c00, true); // half 1.0
    view.setUint16(10, 0xc000, true); // bfloat16 -2.0
    view.setUint16(12, 0x4049, true); // bfloat16 3.140625
    view.setUint16(14, 0x7f80, true); // bfloat16 +Infinity
    view.setBigInt64(16, -5n, true);
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"h":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},' +
      '"b":{"dtype":"BF16","shape":[1,3],"data_offsets":[10,16]},' +
      '"i":{"dtype":"I64","shape":[],"data_offsets":[16,24]}}';
    const loaded = readSafetensors(buildFile(header, data));
    expect([...loaded.get('weight')!.data]).toEqual([1.5, -0.25]);
    expect([...loaded.get('h')!.data]).toEqual([1]);
    expect([...loaded.get('b')!.data]).toEqual([-2, 3.140625, Number.POSITIVE_INFINITY]);
    expect(loaded.get('i')).toEqual({ dtype: 'I64', shape: [], data: Int32Array.from([-5]) });
  });

  it('writes the byte layout of the reference writer: sorted by alignment then name, header space-padded to 8', () => {
    const file = writeSafetensors({
      b: { dtype: 'F16', shape: [1], data: [1] },
      a: { dtype: 'F32', shape: [1], data: [2] },
    });
    const header =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[1],"data_offsets":[4,6]}}';
    const padded = header.padEnd(Math.ceil(header.length / 8) * 8, ' ');
    const expected = buildFile(padded, Uint8Array.from([0x00, 0x00, 0x00, 0x40, 0x00, 0x3c]));
    expect([...file]).toEqual([...expected]);
  });
});

describe('malformed files are rejected with a clear error', () => {
  const valid = writeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3, 4] } });

  const cases: [string, Uint8Array, RegExp][] = [
    ['shorter than 8 bytes', new Uint8Array(5), /shorter than its 8-byte header length.*got 5 bytes/],
    [
      'truncated data',
      valid.subarray(0, valid.length - 3),
      /data_offsets reach past the end of the data section/,
    ],
    [
      'header larger than the file',
      buildFile('{}').fill(0xe8, 0, 1).fill(0x03, 1, 2),
      /header length is larger than the file.*expected at most 2 bytes, got 1000 bytes/,
    ],
    [
      'header beyond the cap',
      (() => {
        const file = buildFile('{}');
        new DataView(file.buffer).setBigUint64(0, 2n ** 63n, true);
        return file;
      })(),
      /header length exceeds the cap/,
    ],
    ['header not UTF-8', buildFile('{"\u00e9":1}').fill(0xc3, 10, 11).fill(0x28, 11, 12), /not valid UTF-8/],
    ['header not JSON', buildFile('{"w":'), /not valid JSON/],
    ['header not an object', buildFile('[1,2]'), /must be a JSON object/],
    [
      'unknown dtype',
      buildFile({ w: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /tensor "w": safetensors: unknown dtype.*got F33/,
    ],
    [
      'shape not a list of non-negative integers',
      buildFile({ w: { dtype: 'F32', shape: [1, -1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /tensor "w": .*shape must be a list of non-negative integers/,
    ],
    [
      'decreasing data_offsets',
      buildFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4)),
      /tensor "w": .*data_offsets must be two non-decreasing/,
    ],
    [
      'size not matching the shape',
      buildFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /tensor "w": .*expected 3×4 = 12 bytes, got 8 bytes/,
    ],
    [
      'huge declared size',
      buildFile({ w: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /tensor "w": .*does not match shape.*4835703278458516698824704 bytes, got 8 bytes/,
    ],
    [
      'huge declared offsets',
      buildFile({ w: { dtype: 'F32', shape: [2 ** 30], data_offsets: [0, 2 ** 32] } }, new Uint8Array(8)),
      /tensor "w": .*reach past the end of the data section.*expected end at most 8, got 4294967296/,
    ],
    [
      'overlapping tensors',
      buildFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        new Uint8Array(12),
      ),
      /tensor "b": safetensors: data overlaps tensor "a"/,
    ],
    [
      'a gap between tensors',
      buildFile(
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        new Uint8Array(12),
      ),
      /tensor "b": safetensors: gap in the data section/,
    ],
    [
      'trailing bytes',
      buildFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(6)),
      /do not cover the data section.*expected 4 data bytes, got 6 data bytes/,
    ],
    [
      'an unknown field',
      buildFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4], extra: 1 } }, new Uint8Array(4)),
      /tensor "a": safetensors: unknown field "extra"/,
    ],
    [
      'a duplicate key aliasing another range (JSON keeps the last one, leaving a hole)',
      buildFile(
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        new Uint8Array(8),
      ),
      /tensor "a": safetensors: gap in the data section/,
    ],
    ['metadata not strings', buildFile({ __metadata__: { n: 1 } }), /__metadata__\.n must be a string/],
  ];

  it.each(cases)('%s', (_, file, message) => {
    const error = errorOf(() => readSafetensors(file));
    expect(error.message).toMatch(message);
  });

  it('rejects a dtype the format defines but Weft does not load', () => {
    const file = buildFile({ m: { dtype: 'U8', shape: [4], data_offsets: [0, 4] } }, new Uint8Array(4));
    expect(errorOf(() => readSafetensors(file)).message).toMatch(/tensor "m": .*not loaded by Weft.*got U8/);
  });

  it('rejects a file whose tensors would exceed maxBytes before allocating them', () => {
    const file = writeSafetensors({ h: { dtype: 'F16', shape: [100], data: randomValues(4, 100) } });
    // 100 halves take 200 bytes in the file but 400 as float32.
    expect(errorOf(() => readSafetensors(file, { maxBytes: 399 })).message).toMatch(
      /exceed maxBytes.*got 400 bytes/,
    );
    expect(readSafetensors(file, { maxBytes: 400 }).get('h')!.data.length).toBe(100);
  });

  it('never throws anything but a WeftError on truncated or corrupted bytes (property)', () => {
    const source = writeSafetensors({
      a: { dtype: 'F32', shape: [3], data: [1, 2, 3] },
      b: { dtype: 'BF16', shape: [2], data: [4, 5] },
      c: { dtype: 'I64', shape: [1], data: [6] },
    });
    fc.assert(
      fc.property(
        fc.nat({ max: source.length }),
        fc.array(fc.tuple(fc.nat({ max: source.length - 1 }), fc.nat({ max: 255 })), { maxLength: 4 }),
        (length, edits) => {
          const bytes = source.slice(0, length);
          for (const [index, value] of edits) if (index < bytes.length) bytes[index] = value;
          try {
            readSafetensors(bytes);
          } catch (error) {
            if (!WeftError.isInstance(error)) throw error;
          }
        },
      ),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe('alignment', () => {
  it('views aligned F32 data without copying and copies misaligned data', () => {
    const values = randomValues(5, 6);
    const aligned = writeSafetensors({ w: { dtype: 'F32', shape: [6], data: values } });
    const view = readSafetensors(aligned).get('w')!;
    expect(view.data.buffer).toBe(aligned.buffer);
    expect(view.data).toEqual(values);

    // The same file one byte into a larger buffer: every tensor address is now odd.
    const shifted = new Uint8Array(aligned.length + 1);
    shifted.set(aligned, 1);
    const copy = readSafetensors(shifted.subarray(1)).get('w')!;
    expect(copy.data.buffer).not.toBe(shifted.buffer);
    expect(copy.data).toEqual(values);
  });

  it('copies an F32 tensor that a hand-built header leaves at a misaligned offset', () => {
    const data = new Uint8Array(2 + 8);
    const view = new DataView(data.buffer);
    view.setUint16(0, 0x3c00, true);
    view.setFloat32(2, 0.5, true);
    view.setFloat32(6, -7.25, true);
    const file = buildFile(
      {
        h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
        w: { dtype: 'F32', shape: [2], data_offsets: [2, 10] },
      },
      data,
    );
    expect([...readSafetensors(file).get('w')!.data]).toEqual([0.5, -7.25]);
  });
});
