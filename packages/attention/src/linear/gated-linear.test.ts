import { decomposeExtensionOps, input, interpret, makeGraph, ShapeError, SpecError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseExpFeatures } from '../../test/dense-exp-features.js';
import { denseGatedLinear, denseReglaGate } from '../../test/dense-gated-linear.js';
import { PHI } from '../../test/dense-linear-attention.js';
import { normalizeMergedHeads } from '../../test/dense-transnormer.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { reglaScale } from './exp-features.js';
import { elu1 } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';
import { LINEAR_ATTENTION_CATALOG } from './linear-catalog.js';
import { constantDecay } from './linear-decay.js';
import { reglaRefinedGate } from './regla-gate.js';

const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;

describe(`data-dependent gates, float64 (seed ${SEED})`, () => {
  it('ReGLA: the zoo graph (reference and decomposition) = the paper’s gated recurrence, then LayerNorm', () => {
    const entry = LINEAR_ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'regla')!;
    const { graph, inputs } = entry.build();
    const sizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const phiQ = denseExpFeatures(sizes, inputs.q!, { shift: 'row', softmax: false, scale: reglaScale(16) });
    const phiK = denseExpFeatures(sizes, inputs.k!, { shift: 'sequence', softmax: false });
    const gate = denseReglaGate(inputs.gateLogits!, inputs.refineLogits!);
    const raw = denseGatedLinear(sizes, phiQ, phiK, inputs.v!, gate, { epsilon: null }).output;
    const expected = normalizeMergedHeads(sizes, raw, { kind: 'layer', epsilon: 1e-5 });
    expect(relativeError(interpret(graph, { inputs }).output!.data, expected)).toBeLessThan(F64);
    expect(
      relativeError(interpret(decomposeExtensionOps(graph), { inputs }).output!.data, expected),
    ).toBeLessThan(F64);
  });

  it('ELU+1 with a denominator from a state: output and both next states = the recurrence', () => {
    const sizes = { batch: 2, heads: 2, length: 11, headDim: 4, valueDim: 3 };
    const spec = linearAttention({
      heads: 2,
      headDim: 4,
      valueDim: 3,
      featureMap: elu1(),
      gated: true,
      causal: true,
      chunkSize: 4,
    });
    const q = randomTensor([2, 2, 11, 4], { seed: SEED + 1, min: -2, max: 2 }).data;
    const k = randomTensor([2, 2, 11, 4], { seed: SEED + 2, min: -2, max: 2 }).data;
    const v = randomTensor([2, 2, 11, 3], { seed: SEED + 3 }).data;
    const g = randomTensor([2, 2, 11, 4], { seed: SEED + 4, min: 0.05, max: 1 }).data;
    const s0 = randomTensor([2, 2, 4, 3], { seed: SEED + 5 }).data;
    const z0 = randomTensor([2, 2, 4], { seed: SEED + 6, min: 0.5, max: 2 }).data;
    const step = applyLinearAttention(spec, {
      query: input('q', [2, 2, 11, 4]),
      key: input('k', [2, 2, 11, 4]),
      value: input('v', [2, 2, 11, 3]),
      gate: input('g', [2, 2, 11, 4]),
      state: { values: input('s0', [2, 2, 4, 3]), keys: input('z0', [2, 2, 4]) },
    });
    const graph = makeGraph({ output: step.output, state: step.state!.values, keyState: step.state!.keys! });
    const phi = (x: ArrayLike<number>) => Float64Array.from(x, PHI.elu1);
    const expected = denseGatedLinear(sizes, phi(q), phi(k), v, g, {
      epsilon: 1e-6,
      state: { values: s0, keys: z0 },
    });
    const feeds = { q, k, v, g, s0, z0 };
    for (const form of [graph, decomposeExtensionOps(graph)]) {
      const out = interpret(form, { inputs: feeds });
      expect(relativeError(out.output!.data, expected.output)).toBeLessThan(F64);
      expect(relativeError(out.state!.data, expected.state)).toBeLessThan(F64);
      expect(relativeError(out.keyState!.data, expected.keyState)).toBeLessThan(F64);
    }
  });

  it('ReGLA’s gate helper is the refined formula', () => {
    const a = randomTensor([1, 1, 5, 4], { seed: SEED + 7, min: -4, max: 4 }).data;
    const b = randomTensor([1, 1, 5, 4], { seed: SEED + 8, min: -4, max: 4 }).data;
    const graph = makeGraph({ gate: reglaRefinedGate(input('a', [1, 1, 5, 4]), input('b', [1, 1, 5, 4])) });
    expect(
      relativeError(interpret(graph, { inputs: { a, b } }).gate!.data, denseReglaGate(a, b)),
    ).toBeLessThan(F64);
  });

  it('rejects a gate where it cannot apply, naming it', () => {
    const base = { heads: 2, headDim: 4, featureMap: elu1() };
    expect(() => linearAttention({ ...base, gated: true })).toThrow(/gated/);
    expect(() =>
      linearAttention({ ...base, gated: true, causal: true, decay: constantDecay([0.9, 0.9]) }),
    ).toThrow(SpecError);
    const operands = {
      query: input('q', [1, 2, 5, 4]),
      key: input('k', [1, 2, 5, 4]),
      value: input('v', [1, 2, 5, 4]),
    };
    expect(() =>
      applyLinearAttention(linearAttention({ ...base, causal: true, gated: true }), operands),
    ).toThrow(/gate/);
    expect(() =>
      applyLinearAttention(linearAttention({ ...base, causal: true }), {
        ...operands,
        gate: input('g', [1, 2, 5, 4]),
      }),
    ).toThrow(SpecError);
    expect(() =>
      applyLinearAttention(linearAttention({ ...base, causal: true, gated: true }), {
        ...operands,
        gate: input('g', [1, 2, 5, 3]),
      }),
    ).toThrow(ShapeError);
  });
});
