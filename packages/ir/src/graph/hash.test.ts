import { describe, expect, it } from 'vitest';
import { fnv1a64 } from './hash.js';

/** FNV-1a 64 written from its definition, in BigInt arithmetic. */
function fnv1a64Reference(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });

  it('matches a BigInt implementation on random strings of any UTF-16 code units', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let trial = 0; trial < 300; trial++) {
      const length = next() % 200;
      const text = String.fromCharCode(...Array.from({ length }, () => next() % 0x10000));
      expect(fnv1a64(text)).toBe(fnv1a64Reference(text));
    }
  });
});
