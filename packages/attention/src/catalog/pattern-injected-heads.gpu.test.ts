import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { dot, rowOf, softmaxRow, weightedValues } from '../../test/dense-heads.js';
import { patternInjectedHeadsCatalogEntry } from './pattern-injected-heads-entry.js';

/** f32 kernel vs float64: rows of 24 keys, measured near 1e-7. */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64 and must agree to rounding. */
const FLOAT64_TOLERANCE = 1e-12;

describe('pattern-injected heads (catalog #75) on the device', () => {
  it('matches the float64 reference and the dense formula P / rowsum(P) · V, softmax on head 3', async () => {
    const instance = patternInjectedHeadsCatalogEntry.build();
    const sizes = { batch: 1, heads: 4, queries: 24, keys: 24, headDim: 16, valueDim: 16 };
    const rows = { heads: 4, length: 24, dim: 16 };
    const check = await checkCatalogInstance(instance, (values) => {
      const tokens = values.tokenIds!;
      const sentences = values.sentenceIds!;
      const patterns = [
        (i: number, j: number) => tokens[i] === tokens[j],
        (i: number, j: number) => sentences[i] === sentences[j],
        (i: number, j: number) => Math.abs(i - j) === 1,
      ];
      const output = weightedValues(sizes, values.v!, (b, h, i) => {
        const keys = Array.from({ length: sizes.keys }, (_, j) => j);
        const pattern = patterns[h];
        if (pattern !== undefined) {
          const kept = keys.map((j) => (pattern(i, j) ? 1 : 0));
          const count = kept.reduce<number>((a, c) => a + c, 0);
          return kept.map((p) => p / count);
        }
        const query = rowOf(values.q!, rows, b, h, i);
        return softmaxRow(keys.map((j) => dot(query, rowOf(values.k!, rows, b, h, j)) / 4));
      });
      return { output };
    });
    console.log('pattern-injected-heads', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    expect(check.kernels).toBe(1);
  });
});
