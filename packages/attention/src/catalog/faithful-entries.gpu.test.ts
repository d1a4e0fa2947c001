import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { dot, rowOf, softmaxRow, weightedValues } from '../../test/dense-heads.js';
import { ATTENTION_CATALOG, type AttentionCatalogInstance } from './attention-catalog.js';

/** f32 kernel vs float64: softmax rows of at most 100 keys, measured near 1e-7. */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64 and must agree to rounding. */
const FLOAT64_TOLERANCE = 1e-12;
const HEADS = 4;
const DIM = 16;

function catalogInstance(mechanism: string): AttentionCatalogInstance {
  const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === mechanism);
  if (entry === undefined) throw new Error(`no catalog entry ${mechanism}`);
  return entry.build();
}

/**
 * Softmax attention with scale 1/√d over the keys an index set allows, written from the paper's
 * definition of the set (not from the mask's predicate).
 */
function denseSoftmax(batch: number, length: number, allowed: (b: number, i: number, j: number) => boolean) {
  const sizes = { batch, heads: HEADS, queries: length, keys: length, headDim: DIM, valueDim: DIM };
  const rows = { heads: HEADS, length, dim: DIM };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => ({
    output: weightedValues(sizes, values.v!, (b, h, i) => {
      const query = rowOf(values.q!, rows, b, h, i);
      const keys = Array.from({ length }, (_, j) => j);
      return softmaxRow(
        keys.map((j) => dot(query, rowOf(values.k!, rows, b, h, j)) / Math.sqrt(DIM)),
        keys.map((j) => allowed(b, i, j)),
      );
    }),
  });
}

async function expectFaithful(mechanism: string, dense: ReturnType<typeof denseSoftmax>) {
  const check = await checkCatalogInstance(catalogInstance(mechanism), dense);
  console.log(mechanism, check);
  expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
  expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
  expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  expect(check.kernels).toBe(1);
}

describe('faithful catalog entries on the device, against dense formulas from the papers', () => {
  it('TKL (#51): left-pad 5, unfold windows of 50 with stride 40, keep the 40 core outputs', async () => {
    // Window w covers padded positions 40w … 40w + 49, i.e. unpadded 40w − 5 … 40w + 44; query i
    // is a core output of window ⌊i/40⌋. Padding positions (negative, or ≥ 100) hold no key.
    const window = (i: number) => Math.floor(i / 40);
    await expectFaithful(
      'local-chunk-attention',
      denseSoftmax(1, 100, (_, i, j) => j >= 40 * window(i) - 5 && j <= 40 * window(i) + 44),
    );
  });

  it('iFAM (#84): every query of sample b sees CLS, the registers and the patches m_b selects', async () => {
    const instance = catalogInstance('faithful-key-mask');
    const selection = instance.inputs.selection!;
    await expectFaithful(
      'faithful-key-mask',
      denseSoftmax(2, 24, (b, _, j) => j < 5 || selection[b * 24 + j] === 1),
    );
  });

  it('Sparse Transformer strided (#53): A¹ = {i − l < j ≤ i} ∪ A² = {j ≤ i, (i − j) mod l = 0}, l = 5', async () => {
    const l = 5;
    await expectFaithful(
      'sparse-transformer-strided',
      denseSoftmax(1, 24, (_, i, j) => (i - l < j && j <= i) || (j <= i && (i - j) % l === 0)),
    );
  });

  it('Sparse Transformer fixed (#53): A¹ = {j ≤ i, ⌊j/l⌋ = ⌊i/l⌋} ∪ A² = {j ≤ i, j mod l ∈ {l − c … l − 1}}, l = 6, c = 2', async () => {
    const [l, c] = [6, 2];
    await expectFaithful(
      'sparse-transformer-fixed',
      denseSoftmax(1, 24, (_, i, j) => j <= i && (Math.floor(j / l) === Math.floor(i / l) || j % l >= l - c)),
    );
  });
});
