import { input, interpret, makeGraph } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { actHead, denseAttentionSinkCalibration } from '../../test/dense-attention-sink-calibration.js';
import {
  ACT_SHAPE,
  actInputs,
  attentionSinkCalibrationCatalogEntry,
} from '../catalog/attention-sink-calibration-entry.js';
import { causal, slidingWindow } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import { softmax } from '../spec/normalizers.js';
import { attentionSinkCalibration } from './attention-sink-calibration.js';

const sizes = { ...ACT_SHAPE, calibratedHeads: [...ACT_SHAPE.calibratedHeads] };

describe('attentionSinkCalibration (ACT, #25)', () => {
  it('finds the sink columns and redistributes their weight as the paper (float64 interpreter)', () => {
    const instance = attentionSinkCalibrationCatalogEntry.build();
    const result = interpret(instance.graph, { inputs: instance.inputs });
    const expected = denseAttentionSinkCalibration(sizes)(instance.inputs);
    // The seeded sink keys 0, 5, 13 pass τ on every head, with margin; S drops the first.
    for (let h = 0; h < ACT_SHAPE.heads; h++) {
      const head = actHead(sizes, instance.inputs.q!, instance.inputs.k!, h);
      expect(head.sinks).toEqual([5, 13]);
      const margin = Math.min(...head.columnScores.map((c) => Math.abs(c - ACT_SHAPE.threshold)));
      expect(margin).toBeGreaterThan(1e-3);
    }
    expect(Array.from(result.sinks!.data)).toEqual(Array.from(expected.sinks));
    expect(relativeError(result.columnScores!.data, expected.columnScores)).toBeLessThan(1e-12);
    expect(relativeError(result.output!.data, expected.output)).toBeLessThan(1e-12);
    // The calibration changes the calibrated heads' output and leaves head 1 as it is.
    const plain = denseAttentionSinkCalibration({ ...sizes, calibratedHeads: [] })(instance.inputs).output;
    const perHead = ACT_SHAPE.length * ACT_SHAPE.headDim;
    const headError = (h: number) =>
      relativeError(
        result.output!.data.slice(h * perHead, (h + 1) * perHead),
        plain.slice(h * perHead, (h + 1) * perHead),
      );
    expect(headError(1)).toBeLessThan(1e-12);
    for (const h of [0, 2, 3]) expect(headError(h)).toBeGreaterThan(1e-2);
  });

  it('β = 1 leaves the attention as it is', () => {
    const shape = [1, ACT_SHAPE.heads, ACT_SHAPE.length, ACT_SHAPE.headDim];
    const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, shape)) as [
      ReturnType<typeof input>,
      ReturnType<typeof input>,
      ReturnType<typeof input>,
    ];
    const spec = attention({ heads: ACT_SHAPE.heads, headDim: ACT_SHAPE.headDim, mask: causal() });
    const { output } = attentionSinkCalibration(spec, { query, key, value }, { threshold: 0.1, beta: 1 });
    const inputs = actInputs();
    const result = interpret(makeGraph({ output }), { inputs });
    const expected = denseAttentionSinkCalibration({ ...sizes, calibratedHeads: [] })(inputs).output;
    expect(relativeError(result.output!.data, expected)).toBeLessThan(1e-12);
  });

  it('names what it cannot calibrate', () => {
    const shape = [1, 4, 32, 16];
    const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, shape)) as [
      ReturnType<typeof input>,
      ReturnType<typeof input>,
      ReturnType<typeof input>,
    ];
    const operands = { query, key, value };
    const options = { threshold: 0.1, beta: 0.4 };
    const build =
      (spec: ReturnType<typeof attention>, extra = {}) =>
      () =>
        attentionSinkCalibration(spec, operands, { ...options, ...extra });
    expect(build(attention({ heads: 4, headDim: 16 }))).toThrow(/the mask must be causal/);
    expect(build(attention({ heads: 4, headDim: 16, mask: slidingWindow(8) }))).toThrow(
      /the mask must be causal/,
    );
    expect(
      build(attention({ heads: 4, headDim: 16, mask: causal(), normalizer: softmax({ sink: 0 }) })),
    ).toThrow(/softmax sink/);
    expect(build(attention({ heads: 4, headDim: 16, mask: causal() }), { beta: 1.5 })).toThrow(/beta/);
    expect(build(attention({ heads: 4, headDim: 16, mask: causal() }), { heads: [4] })).toThrow(
      /calibrated head 4/,
    );
    expect(() =>
      attentionSinkCalibration(
        attention({ heads: 4, headDim: 16, mask: causal() }),
        { query: input('q', [1, 4, 8, 16]), key, value },
        options,
      ),
    ).toThrow(/one static n/);
  });
});
