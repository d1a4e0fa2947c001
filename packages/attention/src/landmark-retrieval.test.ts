import { input, interpret, makeGraph, ShapeError, SpecError, slice } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseLandmarkStep, type RetrievalSizes } from '../test/dense-landmark-retrieval.js';
import { retrievalCase, selectedBlocks } from '../test/landmark-retrieval-case.js';
import { applyAttention } from './apply-attention.js';
import { landmarkRetrieval } from './landmark-retrieval.js';
import { causal } from './masks/builtin-masks.js';
import { attention } from './spec/attention-spec.js';
import { groupedSoftmax } from './spec/normalizers.js';

/** Both sides are float64 (the interpreter and the formula written from the paper). */
const FLOAT64_TOLERANCE = 1e-12;

/** 2 sequences, 4 query heads on 2 KV heads, ℓ = 5 (blocks of 6 slots), 7 blocks cached. */
const SIZES: RetrievalSizes = {
  batch: 2,
  heads: 4,
  kvHeads: 2,
  slots: 42,
  dim: 8,
  valueDim: 6,
  blockSize: 5,
  topK: 2,
};

function run(sizes: RetrievalSizes, positions: number[], seed: number) {
  const { graph, values } = retrievalCase(sizes, seed);
  const result = interpret(graph, { inputs: { ...values, position: Int32Array.from(positions) } });
  return { values, result, dense: denseLandmarkStep(sizes, values, positions) };
}

describe('landmarkRetrieval (float64 interpreter)', () => {
  // Block 0 (no previous block), a landmark query, fewer blocks than topK, many blocks.
  const POSITIONS: [number, number][] = [
    [0, 3],
    [5, 11],
    [8, 40],
    [29, 35],
    [41, 17],
  ];
  for (const positions of POSITIONS) {
    it(`positions ${positions}: retrieves the paper's blocks and matches its rule`, () => {
      const { result, dense } = run(SIZES, positions, 660 + positions[0]);
      for (let b = 0; b < SIZES.batch; b++)
        for (let h = 0; h < SIZES.heads; h++)
          expect(selectedBlocks(result.selected!.data, SIZES, b, h), `b${b} h${h}`).toEqual(
            [...dense.selected(b, h)].sort((x, y) => x - y),
          );
      const error = relativeError(result.output!.data, dense.output);
      expect(error).toBeLessThan(FLOAT64_TOLERANCE);
      expect(dense.output.some((x) => x !== 0)).toBe(true);
    });
  }

  it('retrieves fewer blocks than all: dropping blocks changes the output', () => {
    const all = run({ ...SIZES, topK: 7 }, [40, 40], 670);
    const two = run(SIZES, [40, 40], 670);
    expect(relativeError(two.result.output!.data, all.result.output!.data)).toBeGreaterThan(1e-3);
  });

  it('with topK ≥ the blocks it is the training-form grouped softmax over the whole past', () => {
    const sizes = { ...SIZES, batch: 1, topK: 7 };
    for (const position of [4, 6, 23, 30, 41]) {
      const { graph, values } = retrievalCase(sizes, 680 + position);
      const step = interpret(graph, { inputs: { ...values, position: Int32Array.from([position]) } });
      const query = input('q', [1, sizes.heads, 1, sizes.dim]);
      const keys = position + 1;
      const past = (name: string, width: number) =>
        slice(
          input(name, [1, sizes.kvHeads, sizes.slots, width]),
          [0, 0, 0, 0],
          [1, sizes.kvHeads, keys, width],
        );
      const spec = attention({
        heads: sizes.heads,
        kvHeads: sizes.kvHeads,
        headDim: sizes.dim,
        valueDim: sizes.valueDim,
        mask: causal(),
        normalizer: groupedSoftmax({ blockSize: sizes.blockSize }),
      });
      const training = applyAttention(spec, {
        query,
        key: past('k', sizes.dim),
        value: past('v', sizes.valueDim),
      });
      const whole = interpret(makeGraph({ output: training.output }), { inputs: values });
      expect(relativeError(step.output!.data, whole.output!.data), `position ${position}`).toBeLessThan(
        FLOAT64_TOLERANCE,
      );
    }
  });

  it('refuses a step of two queries, a cache of partial blocks and mismatched tensors', () => {
    const key = input('k', [1, 2, 12, 8]);
    const value = input('v', [1, 2, 12, 8]);
    const position = input('position', [1], 'i32');
    const query = input('q', [1, 2, 1, 8]);
    expect(() =>
      landmarkRetrieval(
        { query: input('q2', [1, 2, 2, 8]), key, value, position },
        { blockSize: 5, topK: 1 },
      ),
    ).toThrow(SpecError);
    expect(() => landmarkRetrieval({ query, key, value, position }, { blockSize: 4, topK: 1 })).toThrow(
      /whole blocks/,
    );
    expect(() =>
      landmarkRetrieval(
        { query, key, value: input('v3', [1, 2, 6, 8]), position },
        { blockSize: 5, topK: 1 },
      ),
    ).toThrow(ShapeError);
    expect(() => landmarkRetrieval({ query, key, value, position }, { blockSize: 5, topK: 0 })).toThrow(
      SpecError,
    );
  });
});
