import { input, interpret, makeGraph, mul, tensorRef } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { dot, rowOf, softmaxRow, weightedValues } from '../../test/dense-heads.js';
import { runKernels } from '../../test/run-kernels.js';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { probabilisticAttentionScore } from '../spec/probabilistic-attention-score.js';
import { probabilisticAttentionCatalogEntry } from './probabilistic-attention-entry.js';
import { squaredNorms } from './squared-norms.js';

/** f32 kernel vs float64: rows of 24 keys with scores near −3, measured near 1e-7. */
const TOLERANCE = 1e-5;
/** Both float64: the expansion α q·ζ − ½α‖ζ‖² − ½α‖q‖² vs −½α‖q − ζ‖² differs by rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

const SIZES = { batch: 1, heads: 4, queries: 24, keys: 24, headDim: 16, valueDim: 16 };
const ROWS = { heads: 4, length: 24, dim: 16 };

describe('probabilistic attention E-step (catalog #76) on the device', () => {
  it('matches the float64 reference and the dense formula softmax_j(−½α_j‖q_i − ζ_j‖² + log π_j)', async () => {
    const instance = probabilisticAttentionCatalogEntry.build();
    const check = await checkCatalogInstance(instance, (values) => {
      const output = weightedValues(SIZES, values.v!, (b, h, i) => {
        const query = rowOf(values.q!, ROWS, b, h, i);
        const logWeights = Array.from({ length: SIZES.keys }, (_, j) => {
          const zeta = rowOf(values.k!, ROWS, b, h, j);
          const distance = query.reduce((total, x, d) => total + (x - zeta[d]!) ** 2, 0);
          const slot = (b * SIZES.heads + h) * SIZES.keys + j;
          return -0.5 * Number(values.precision![slot]) * distance + Number(values.logPrior![slot]);
        });
        return softmaxRow(logWeights);
      });
      return { output };
    });
    console.log('probabilistic-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // Two norm reductions before the attention op (one fused kernel each side), then the op.
    expect(check.kernels).toBe(3);
  });

  it('with α = 1/√C and the magnitude prior ½α‖ζ‖² equals softmax(q·ζ/√C) attention', async () => {
    const shape = [1, 4, 24, 16];
    const perKey = [1, 4, 24];
    const query = input('q', shape);
    const key = input('k', shape);
    const value = input('v', shape);
    const alpha = 1 / Math.sqrt(16);
    const keyNorms = squaredNorms(key);
    const score = probabilisticAttentionScore({
      precision: tensorRef('precision', perKey),
      logPrior: tensorRef('logPrior', perKey),
      queryNormSquared: tensorRef('queryNormSquared', perKey),
      keyNormSquared: tensorRef('keyNormSquared', perKey),
    });
    const probabilistic = applyAttention(attention({ heads: 4, headDim: 16, score }), {
      query,
      key,
      value,
      tensors: {
        precision: input('precision', perKey),
        logPrior: mul(keyNorms, 0.5 * alpha),
        queryNormSquared: squaredNorms(query),
        keyNormSquared: keyNorms,
      },
    }).output;
    const standard = applyAttention(attention({ heads: 4, headDim: 16 }), { query, key, value }).output;
    const graph = makeGraph({ probabilistic, standard });
    const instance = probabilisticAttentionCatalogEntry.build();
    const inputs = {
      q: instance.inputs.q!,
      k: instance.inputs.k!,
      v: instance.inputs.v!,
      precision: new Float32Array(4 * 24).fill(alpha),
    };
    const reference = interpret(graph, { inputs });
    const floatError = relativeError(reference.probabilistic!.data, reference.standard!.data);
    const { device } = await getTestDevice();
    const { outputs } = await runKernels(device, graph, inputs, {});
    const deviceError = relativeError(outputs.probabilistic!, reference.standard!.data);
    console.log('probabilistic-attention magnitude prior vs softmax', { floatError, deviceError });
    expect(floatError).toBeLessThan(FLOAT64_TOLERANCE);
    expect(deviceError).toBeLessThan(TOLERANCE);
    // The dense check of the first test does not depend on the graph: rerun it on these inputs.
    const softmaxDense = weightedValues(SIZES, inputs.v, (b, h, i) => {
      const q = rowOf(inputs.q, ROWS, b, h, i);
      return softmaxRow(Array.from({ length: 24 }, (_, j) => alpha * dot(q, rowOf(inputs.k, ROWS, b, h, j))));
    });
    expect(relativeError(reference.standard!.data, softmaxDense)).toBeLessThan(FLOAT64_TOLERANCE);
  });
});
