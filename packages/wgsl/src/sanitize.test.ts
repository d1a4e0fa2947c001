import { describe, expect, it } from 'vitest';
import { sanitizeComment, sanitizeIdentifier, sanitizeName } from './sanitize.js';

describe('the sanitizers keep recent results', () => {
  it('answer as on first use after thousands of other texts (the table is emptied when full)', () => {
    const texts = [
      'layers.0.attn.q',
      'x; fn evil()',
      'weights.ln1/γ',
      '__init',
      '12abc',
      'a/*b*/c',
      'é'.repeat(90),
    ];
    const first = texts.map((text) => [sanitizeIdentifier(text), sanitizeComment(text), sanitizeName(text)]);
    const names = Array.from({ length: 5_000 }, (_, index) => `layers.${index}.attn.wq`);
    expect(names.map(sanitizeIdentifier)).toEqual(names.map((name) => name.replaceAll('.', '_')));
    expect(names.map(sanitizeName)).toEqual(names);
    expect(names.map((name) => sanitizeComment(`matmul "${name}"`))).toEqual(
      names.map((name) => `matmul "${name}"`),
    );
    expect(
      texts.map((text) => [sanitizeIdentifier(text), sanitizeComment(text), sanitizeName(text)]),
    ).toEqual(first);
    expect(first[1]).toEqual(['x_fn_evil', 'x; fn evil()', 'x??fn?evil??']);
    expect(first[5]![1]).toBe('a??b??c');
  });
});
