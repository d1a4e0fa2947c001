import {
  decomposeExtensionOps,
  graphFromJSON,
  graphToJSON,
  input,
  interpret,
  makeGraph,
  SpecError,
} from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  denseDiagAttention,
  denseNormAttention,
  type MergedHeadsNorm,
  normalizeMergedHeads,
  type TransnormerSizes,
} from '../../test/dense-transnormer.js';
import { ATTENTION_CATALOG } from '../catalog/attention-catalog.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { elu1 } from './feature-maps.js';
import { linearAttentionOp, linearStateOp } from './linear-attention-op.js';
import { linearAttention } from './linear-attention-spec.js';
import { LINEAR_ATTENTION_CATALOG } from './linear-catalog.js';
import { type LinearOutputNorm, transnormerOutputNorm } from './output-norm.js';
import { linearOutputNormOp } from './output-norm-op.js';

const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;
const OPS = { name: 'linearAttention', ops: [linearAttentionOp, linearStateOp, linearOutputNormOp] };
const SIZES: TransnormerSizes = { batch: 2, heads: 3, length: 11, headDim: 5, valueDim: 4 };

function operands(seed: number) {
  const { batch: b, heads: h, length: n, headDim: d, valueDim: e } = SIZES;
  return {
    q: randomTensor([b, h, n, d], { seed: seed + 1 }),
    k: randomTensor([b, h, n, d], { seed: seed + 2 }),
    v: randomTensor([b, h, n, e], { seed: seed + 3 }),
  };
}

function normAttention(norm: LinearOutputNorm, causal: boolean) {
  const values = operands(SEED);
  const spec = linearAttention({
    heads: SIZES.heads,
    headDim: SIZES.headDim,
    valueDim: SIZES.valueDim,
    featureMap: elu1(),
    denominator: false,
    outputNorm: norm,
    causal,
    chunkSize: 4,
    name: 'layers.5.attn',
  });
  const { output } = applyLinearAttention(spec, {
    query: input('q', values.q.shape),
    key: input('k', values.k.shape),
    value: input('v', values.v.shape),
  });
  const inputs = { q: values.q.data, k: values.k.data, v: values.v.data };
  return { graph: makeGraph({ output }), inputs, values };
}

describe(`TransNormer (catalog #49), float64 (seed ${SEED})`, () => {
  it.each([
    ['RMSNorm ε outside', transnormerOutputNorm(), { kind: 'rms-outside', epsilon: 1e-8 }],
    [
      'RMSNorm ε inside',
      { kind: 'rms', epsilon: 1e-6, across: 'heads' },
      { kind: 'rms-inside', epsilon: 1e-6 },
    ],
    ['LayerNorm', { kind: 'layer', epsilon: 1e-5, across: 'heads' }, { kind: 'layer', epsilon: 1e-5 }],
  ] as const)(
    'NormAttention with %s: reference and decomposition = the paper, causal and not',
    (_, norm, dense) => {
      for (const causal of [false, true]) {
        const { graph, inputs, values } = normAttention(norm, causal);
        const reference = interpret(graph, { inputs }).output!.data;
        const decomposed = interpret(decomposeExtensionOps(graph), { inputs }).output!.data;
        const expected = denseNormAttention(SIZES, values.q.data, values.k.data, values.v.data, {
          causal,
          norm: dense as MergedHeadsNorm,
        }).output;
        expect(relativeError(reference, expected)).toBeLessThan(F64);
        expect(relativeError(decomposed, expected)).toBeLessThan(F64);
      }
    },
  );

  it('a norm per head normalizes each head’s d_v columns alone', () => {
    const { graph, inputs, values } = normAttention({ kind: 'rms', epsilon: 1e-6, across: 'head' }, true);
    const reference = interpret(graph, { inputs }).output!.data;
    const mergedHeads = denseNormAttention(SIZES, values.q.data, values.k.data, values.v.data, {
      causal: true,
      norm: { kind: 'rms-inside', epsilon: 1e-6 },
    });
    // The raw sums of a norm-free graph, normalized head by head.
    const unnormalized = interpret(normAttentionRaw(values), {
      inputs: { q: values.q.data, k: values.k.data, v: values.v.data },
    }).output!.data;
    const perHead = new Float64Array(unnormalized.length);
    for (let h = 0; h < SIZES.heads; h++) {
      const one = { ...SIZES, heads: 1 };
      for (let b = 0; b < SIZES.batch; b++) {
        const offset = (b * SIZES.heads + h) * SIZES.length * SIZES.valueDim;
        const slice = unnormalized.subarray(offset, offset + SIZES.length * SIZES.valueDim);
        perHead.set(
          normalizeMergedHeads({ ...one, batch: 1 }, slice, { kind: 'rms-inside', epsilon: 1e-6 }),
          offset,
        );
      }
    }
    expect(relativeError(reference, perHead)).toBeLessThan(F64);
    expect(relativeError(reference, mergedHeads.output)).toBeGreaterThan(1e-3);
  });

  it('the zoo instance of NormAttention is the paper’s causal NormAttention', () => {
    const entry = LINEAR_ATTENTION_CATALOG.find(
      (candidate) => candidate.mechanism === 'transnormer-norm-attention',
    )!;
    const { graph, inputs } = entry.build();
    const sizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const expected = denseNormAttention(sizes, inputs.q!, inputs.k!, inputs.v!, {
      causal: true,
      norm: { kind: 'rms-outside', epsilon: 1e-8 },
    }).output;
    expect(relativeError(interpret(graph, { inputs }).output!.data, expected)).toBeLessThan(F64);
  });

  it('the zoo instance of DiagAttention is softmax inside causal diagonal blocks of 8', () => {
    const entry = ATTENTION_CATALOG.find(
      (candidate) => candidate.mechanism === 'transnormer-diag-attention',
    )!;
    const { graph, inputs, params } = entry.build();
    const sizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const expected = denseDiagAttention(sizes, inputs.q!, inputs.k!, inputs.v!, { block: 8, causal: true });
    expect(relativeError(interpret(graph, { inputs, params }).output!.data, expected)).toBeLessThan(F64);
  });

  it('saves to JSON and loads with the extension’s ops', () => {
    const { graph, inputs } = normAttention(transnormerOutputNorm(), true);
    const loaded = graphFromJSON(graphToJSON(graph), { extensions: [OPS] });
    expect(
      relativeError(interpret(loaded, { inputs }).output!.data, interpret(graph, { inputs }).output!.data),
    ).toBe(0);
  });

  it('rejects a malformed output norm, naming the block and the option', () => {
    const build = (outputNorm: unknown) => () =>
      linearAttention({
        heads: 2,
        headDim: 4,
        outputNorm: outputNorm as LinearOutputNorm,
        name: 'layers.1.attn',
      });
    expect(build({ kind: 'group', epsilon: 1e-5, across: 'heads' })).toThrow(SpecError);
    expect(build({ kind: 'rms', epsilon: -1, across: 'heads' })).toThrow(
      /layers\.1\.attn.*outputNorm\.epsilon/,
    );
    expect(build({ kind: 'rms', epsilon: 1e-6, across: 'rows' })).toThrow(/outputNorm\.across/);
    expect(build({ kind: 'rms', epsilon: 1e-6, across: 'heads', epsilonPlacement: 'under' })).toThrow(
      /outputNorm\.epsilonPlacement/,
    );
  });
});

/** NormAttention without its norm (the numerator alone) over the same operands. */
function normAttentionRaw(values: ReturnType<typeof operands>) {
  const spec = linearAttention({
    heads: SIZES.heads,
    headDim: SIZES.headDim,
    valueDim: SIZES.valueDim,
    featureMap: elu1(),
    denominator: false,
    causal: true,
  });
  const { output } = applyLinearAttention(spec, {
    query: input('q', values.q.shape),
    key: input('k', values.k.shape),
    value: input('v', values.v.shape),
  });
  return makeGraph({ output });
}
