import { SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { parsePlaygroundDocument } from './playground-document.js';
import { specFromHash, specToHash } from './spec-hash.js';

describe('parsePlaygroundDocument', () => {
  it('tells attention specs, model specs and zoo documents apart', () => {
    expect(parsePlaygroundDocument('{ "heads": 2, "headDim": 8 }').kind).toBe('attention');
    expect(parsePlaygroundDocument('{ "schemaVersion": 2, "kind": "decoder-lm" }').kind).toBe('model');
    expect(parsePlaygroundDocument('{ "zoo": "layer-norm" }')).toEqual({ kind: 'zoo', id: 'layer-norm' });
  });

  it('names the line and column of a syntax error', () => {
    expect(() => parsePlaygroundDocument('{\n  "heads": 2,\n}')).toThrow(SpecError);
    expect(() => parsePlaygroundDocument('{\n  "heads": 2,\n}')).toThrow(/not valid JSON.*line 3, column 1/);
  });

  it('refuses a top level that is not an object, and a zoo document with more keys', () => {
    expect(() => parsePlaygroundDocument('[1]')).toThrow(/must be a JSON object.*an array/s);
    expect(() => parsePlaygroundDocument('{ "zoo": "layer-norm", "heads": 2 }')).toThrow(/nothing else/);
  });
});

describe('spec hash', () => {
  it('round-trips any text, including non-ASCII and URL-special characters', () => {
    const text = '{ "name": "Ω/+=?#&", "heads": 4 }\n';
    const hash = specToHash(text);
    expect(hash).toMatch(/^#spec=[A-Za-z0-9_-]+$/);
    expect(specFromHash(hash)).toBe(text);
  });

  it('gives undefined for a hash without a spec or with damaged data', () => {
    expect(specFromHash('')).toBeUndefined();
    expect(specFromHash('#other=1')).toBeUndefined();
    expect(specFromHash('#spec=%%%')).toBeUndefined();
    expect(specFromHash('#spec=_w')).toBeUndefined(); // 0xFF alone is not UTF-8
  });
});
