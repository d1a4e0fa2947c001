import { InputError, SpecError, WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from './safetensors.js';

function fileWithHeader(headerText: string): Uint8Array {
  const header = new TextEncoder().encode(headerText);
  const bytes = new Uint8Array(8 + header.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  return bytes;
}

const CONSTRUCTOR: string = 'constructor';
const PROTO: string = '__proto__';

describe('safetensors robustness', () => {
  it('a __metadata__ nested 5,000 deep is refused with a WeftError before parsing', () => {
    const nested = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    for (const header of [`{"__metadata__":${nested}}`, `{"__metadata__":{"x":${nested}}}`]) {
      let caught: unknown;
      try {
        readSafetensors(fileWithHeader(header));
      } catch (error) {
        caught = error;
      }
      expect(WeftError.isInstance(caught)).toBe(true);
      expect(caught).toBeInstanceOf(InputError);
      expect((caught as Error).message).toMatch(/nested too deeply.*500[12] levels/);
    }
  });

  it('a non-string metadata value is described, not dumped', () => {
    expect(() => readSafetensors(fileWithHeader('{"__metadata__":{"x":{"y":1}}}'))).toThrow(
      /__metadata__\.x must be a string \(got an object\)/,
    );
  });

  it('tensors named __proto__ and constructor round-trip', () => {
    const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> =
      Object.create(null);
    tensors[PROTO] = { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) };
    tensors[CONSTRUCTOR] = { dtype: 'F32', shape: [1], data: Float32Array.of(3) };
    const metadata: Record<string, string> = Object.create(null);
    metadata[PROTO] = 'kept';
    const loaded = readSafetensors(writeSafetensors(tensors, metadata));
    expect([...loaded.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(Array.from(loaded.get('__proto__')!.data)).toEqual([1, 2]);
    expect(Array.from(loaded.get('constructor')!.data)).toEqual([3]);
  });

  it('a tensor named __metadata__ is refused when writing', () => {
    expect(() =>
      writeSafetensors({ __metadata__: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } }),
    ).toThrow(SpecError);
  });

  it('maxBytes NaN or negative is an InputError, not a disabled cap', () => {
    const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
    for (const maxBytes of [Number.NaN, -1]) {
      expect(() => readSafetensors(bytes, { maxBytes })).toThrow(InputError);
      expect(() => readSafetensors(bytes, { maxBytes })).toThrow(/maxBytes must be a non-negative number/);
    }
    expect(() => readSafetensors(bytes, { maxBytes: 8 })).toThrow(/exceed maxBytes/);
    expect(readSafetensors(bytes, { maxBytes: Number.POSITIVE_INFINITY }).size).toBe(1);
  });
});
