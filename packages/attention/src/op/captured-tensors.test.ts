import { tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { causal, documentMask, keyPadding } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { attention } from '../spec/attention-spec.js';
import { gaussianKernelScore } from '../spec/gaussian-kernel-score.js';
import { softmax } from '../spec/normalizers.js';
import { alibi } from '../spec/positions.js';
import { qkNorm } from '../spec/qk-norm.js';
import { capturedTensors } from './captured-tensors.js';

const base = { heads: 4, headDim: 8 } as const;
const perSample = (spec: ReturnType<typeof attention>) =>
  Object.fromEntries(capturedTensors(spec).map((tensor) => [tensor.name, tensor.perSample]));

describe('capturedTensors', () => {
  it('a per-head sink and ALiBi slopes are not per sample', () => {
    const spec = attention({
      ...base,
      positions: alibi({ slopes: tensorRef('slopes', [4]) }),
      normalizer: softmax({ sink: tensorRef('sink', [4]) }),
    });
    expect(perSample(spec)).toEqual({ slopes: false, sink: false });
    const sink = capturedTensors(spec).find((tensor) => tensor.name === 'sink')!;
    expect(sink).toMatchObject({ rank: 1, dtype: 'f32' });
  });

  it('padding lengths, segment ids and per-sample score tensors are per sample', () => {
    const spec = attention({
      ...base,
      mask: and(
        causal(),
        keyPadding(tensorRef('lengths', [2], 'i32')),
        documentMask(tensorRef('segments', [2, 16], 'i32')),
      ),
      score: gaussianKernelScore({
        queryNormSquared: tensorRef('qn', [2, 4, 16]),
        keyNormSquared: tensorRef('kn', [2, 4, 16]),
      }),
      normalizer: softmax({ sink: tensorRef('sink', [1]) }),
    });
    expect(perSample(spec)).toEqual({ lengths: true, segments: true, qn: true, kn: true, sink: false });
  });

  it('leaves out the spec’s own parameters (QK-norm gains)', () => {
    const spec = attention({ ...base, qkNorm: qkNorm({ kind: 'rms' }), name: 'layers.0.attn' });
    expect(capturedTensors(spec)).toEqual([]);
  });
});
