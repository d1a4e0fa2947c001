import { makeGraph } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseMoba } from '../../test/dense-moba.js';
import { runKernels } from '../../test/run-kernels.js';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { mobaSelection } from '../masks/moba-selection.js';
import { attention } from '../spec/attention-spec.js';
import { ATTENTION_CATALOG } from './attention-catalog.js';
import { MOBA_SHAPE } from './moba-entry.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/** f32 kernels vs float64: softmax rows of at most 128 keys (measured near 1e-7). */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

const { heads, headDim, length, blockSize } = MOBA_SHAPE;

/** MoBA and dense causal attention of the same seeded q, k, v, on the device. */
async function mobaVersusDense(topK: number, gate: 'token' | 'block') {
  const shape = [1, heads, length, headDim];
  const [query, key, value] = qkvInputs(shape);
  const mask = and(causal(), mobaSelection({ blockSize, topK, gate }));
  const sparse = applyAttention(attention({ heads, headDim, mask }), { query, key, value }).output;
  const dense = applyAttention(attention({ heads, headDim, mask: causal() }), { query, key, value }).output;
  const count = heads * length * headDim;
  const values = { q: seeded(count, 31), k: seeded(count, 32), v: seeded(count, 33) };
  const { device } = await getTestDevice();
  const run = await runKernels(device, makeGraph({ sparse, dense }), values, {});
  return { values, run };
}

describe('MoBA (#115) on the device', () => {
  it('the catalog instance matches the float64 formula written from the paper', async () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'moba')!;
    const check = await checkCatalogInstance(
      entry.build(),
      denseMoba({ batch: 1, heads, length, dim: headDim, blockSize, topK: MOBA_SHAPE.topK }),
    );
    console.log('moba', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 120_000);

  it('with every block kept the block-sparse path is dense causal attention', async () => {
    const { run } = await mobaVersusDense(length / blockSize, 'token');
    const error = relativeError(run.outputs.sparse!, run.outputs.dense!);
    console.log('moba all blocks vs dense causal', error);
    expect(error).toBeLessThan(TOLERANCE);
  }, 120_000);

  it('block gating: dropped blocks give dense attention under the equivalent mask (float64)', async () => {
    const topK = 2;
    const { values, run } = await mobaVersusDense(topK, 'block');
    const expected = denseMoba({ batch: 1, heads, length, dim: headDim, blockSize, topK, gate: 'block' })(
      values,
    ).output;
    const error = relativeError(run.outputs.sparse!, expected);
    console.log('moba block gating vs float64', error);
    expect(error).toBeLessThan(TOLERANCE);
    expect(relativeError(run.outputs.dense!, expected)).toBeGreaterThan(1e-3);
  }, 120_000);

  it('the attention kernel lists the non-empty key tiles from the table and visits only those', async () => {
    const { run } = await mobaVersusDense(2, 'block');
    const kernel = run.wgsl.find((wgsl) => wgsl.includes('fn list_tiles('))!;
    const start = kernel.indexOf('fn list_tiles(');
    const listTiles = kernel.slice(start, kernel.indexOf('\n}', start));
    // Invocation 0 reads the table (a storage binding) for every tile and keeps the non-empty ones.
    expect(listTiles).toMatch(/moba_table\[/);
    expect(listTiles).toMatch(/tile_list\[count\] = /);
    // The loop walks the list: K and V of the other tiles are never loaded. Each entry is a plain
    // read (no barrier of its own: the list is written once, before list_tiles' barrier), except
    // where the subgroup reads K and V rows together: there the tile must be uniform to WGSL's
    // analysis, and a uniform load is.
    const together = kernel.includes('subgroupBroadcast(');
    expect(/workgroupUniformLoad\(&tile_list/.test(kernel)).toBe(together);
    expect(kernel).toMatch(
      /for \(var listed = 0u; listed < listed_tiles; listed\+\+\) \{\s*let entry = (?:workgroupUniformLoad\(&)?tile_list\[listed\]\)?;/,
    );
  }, 120_000);
});
