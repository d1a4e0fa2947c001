import { input, interpret, makeGraph } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseFlexPrefill } from '../../test/dense-flex-prefill.js';
import { runKernels } from '../../test/run-kernels.js';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { flexPrefillBlockTables, flexPrefillSelection } from '../masks/flex-prefill-selection.js';
import { attention } from '../spec/attention-spec.js';
import { ATTENTION_CATALOG } from './attention-catalog.js';
import { FLEX_PREFILL_SHAPE } from './flex-prefill-entry.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/** f32 kernels vs float64: softmax rows of at most 256 keys (measured near 1e-7). */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

const { heads, headDim, length, blockSize, gamma, tau } = FLEX_PREFILL_SHAPE;
const sizes = { batch: 1, heads, length, dim: headDim, blockSize, gamma, tau };

describe('FlexPrefill (#105) on the device', () => {
  it('the catalog instance matches the float64 selection and attention written from the paper', async () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'flex-prefill')!;
    const instance = entry.build();
    const dense = denseFlexPrefill(sizes);
    const expected = dense(instance.inputs);
    // Both patterns occur: two heads query-aware, two vertical-slash; the table drops blocks.
    const patterns = expected.decisions.map((head) => head.queryAware);
    expect(patterns).toEqual([true, false, false, true]);
    const margins = expected.decisions.map((head) => Math.abs(head.divergence - tau));
    expect(Math.min(...margins)).toBeGreaterThan(1e-3);
    const kept = expected.table.reduce<number>((a, b) => a + b, 0);
    const causalPairs = (heads * (length / blockSize) * (length / blockSize + 1)) / 2;
    expect(kept).toBeLessThan(causalPairs);
    const check = await checkCatalogInstance(instance, (values) => {
      const { output, table } = dense(values);
      return { output, table };
    });
    console.log('flex-prefill', check, { kept, causalPairs });
    // The table is integers: the device's must be the paper's exactly.
    expect(check.deviceVersusDense.table).toBe(0);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 240_000);

  it('with every block kept (γ near 1, or the short-sequence fallback) the sparse path is dense causal', async () => {
    const shape = [1, heads, length, headDim];
    const [query, key, value] = qkvInputs(shape);
    // Unscaled inputs: the last block's attention is flat, so γ = 0.999 covers every column block.
    const covering = { blockSize, gamma: 0.999, tau: 0, name: 'covering' };
    // A minimum budget of the whole sequence: the reference falls back to dense attention.
    const fallback = { blockSize, gamma, tau, minBudget: length, name: 'fallback' };
    const outputs = Object.fromEntries(
      [covering, fallback].map((options) => [
        options.name,
        applyAttention(attention({ heads, headDim, mask: and(causal(), flexPrefillSelection(options)) }), {
          query,
          key,
          value,
        }).output,
      ]),
    );
    const dense = applyAttention(attention({ heads, headDim, mask: causal() }), { query, key, value }).output;
    const table = flexPrefillBlockTables(query, key, covering).table;
    const count = heads * length * headDim;
    const values = { q: seeded(count, 41), k: seeded(count, 42), v: seeded(count, 43) };
    const { device } = await getTestDevice();
    const run = await runKernels(device, makeGraph({ ...outputs, dense, table }), values, {});
    const blocks = length / blockSize;
    expect(Array.from(run.outputs.table!)).toEqual(
      Array.from({ length: heads * blocks * blocks }, (_, index) =>
        index % blocks <= Math.floor(index / blocks) % blocks ? 1 : 0,
      ),
    );
    for (const name of ['covering', 'fallback']) {
      const error = relativeError(run.outputs[name]!, run.outputs.dense!);
      console.log(`flex-prefill ${name} vs dense causal`, error);
      expect(error).toBeLessThan(TOLERANCE);
    }
  }, 240_000);

  it('the divergence and the pattern choice per head equal the paper formula (float64 interpreter)', () => {
    const instance = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'flex-prefill')!.build();
    const shape = [1, heads, length, headDim];
    const { divergence, queryAware } = flexPrefillBlockTables(input('q', shape), input('k', shape), {
      blockSize,
      gamma,
      tau,
    });
    const result = interpret(makeGraph({ divergence, queryAware }), { inputs: instance.inputs });
    const expected = denseFlexPrefill(sizes)(instance.inputs).decisions;
    expect(
      relativeError(
        result.divergence!.data,
        expected.map((head) => head.divergence),
      ),
    ).toBeLessThan(1e-12);
    expect(Array.from(result.queryAware!.data)).toEqual(expected.map((head) => (head.queryAware ? 1 : 0)));
  });
});
