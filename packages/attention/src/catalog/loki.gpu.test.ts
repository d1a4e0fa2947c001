import { input, makeGraph } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseLoki } from '../../test/dense-loki.js';
import { runKernels } from '../../test/run-kernels.js';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { lokiSelection } from '../masks/loki-selection.js';
import { attention } from '../spec/attention-spec.js';
import { ATTENTION_CATALOG } from './attention-catalog.js';
import { LOKI_SHAPE, lokiKeys } from './loki-entry.js';
import { principalDirections } from './principal-directions.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/** f32 kernels vs float64: softmax rows of at most 128 keys (MoBA's measured near 1e-7). */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

const { heads, headDim, length, rank } = LOKI_SHAPE;

describe('Loki (#59) on the device', () => {
  it('the catalog instance matches the float64 formula written from the paper', async () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'loki')!;
    const check = await checkCatalogInstance(
      entry.build(),
      denseLoki({ heads, length, dim: headDim, rank, topK: LOKI_SHAPE.topK }),
    );
    console.log('loki', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 120_000);

  it('with every key kept the selection is dense causal attention; with 32 kept it is not', async () => {
    const shape = [1, heads, length, headDim];
    const [query, key, value] = qkvInputs(shape);
    const projection = input('projection', [headDim, rank]);
    const sparse = (topK: number, name: string) =>
      applyAttention(
        attention({ heads, headDim, mask: and(causal(), lokiSelection({ projection, topK, name })) }),
        {
          query,
          key,
          value,
        },
      ).output;
    const dense = applyAttention(attention({ heads, headDim, mask: causal() }), { query, key, value }).output;
    const count = heads * length * headDim;
    const values = {
      q: seeded(count, 41),
      k: lokiKeys(count, 42),
      v: seeded(count, 43),
      projection: principalDirections(lokiKeys(4 * count, 44), headDim, rank),
    };
    const { device } = await getTestDevice();
    const graph = makeGraph({ all: sparse(length, 'all'), some: sparse(32, 'some'), dense });
    const run = await runKernels(device, graph, values, {});
    const allVersusDense = relativeError(run.outputs.all!, run.outputs.dense!);
    console.log('loki all keys vs dense causal', allVersusDense, 'kernels', run.kernels);
    expect(allVersusDense).toBeLessThan(TOLERANCE);
    expect(relativeError(run.outputs.some!, run.outputs.dense!)).toBeGreaterThan(1e-3);
  }, 120_000);
});
