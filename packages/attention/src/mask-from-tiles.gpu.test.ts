import { input, interpret, makeGraph, tensorRef } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { dot, rowOf, softmaxRow, weightedValues } from '../test/dense-heads.js';
import { runKernels } from '../test/run-kernels.js';
import { applyAttention } from './apply-attention.js';
import { qkvInputs } from './catalog/qkv-inputs.js';
import { seeded } from './catalog/seeded-values.js';
import { maskFrom } from './masks/mask-from.js';
import { attention } from './spec/attention-spec.js';

/** f32 kernel vs float64: softmax rows of at most 80 keys (measured near 1e-7). */
const TOLERANCE = 1e-5;
const HEADS = 2;
const DIM = 16;
/** Not a multiple of the 32 × 32 blocks: the tile table pads the edges. */
const LENGTH = 80;

/** A keep tensor whose 32 × 32 blocks with (row + column) odd keep nothing; the rest keep a seeded half (and the diagonal). */
function keepTensor(): Int32Array {
  const noise = seeded(LENGTH * LENGTH, 41);
  return Int32Array.from({ length: LENGTH * LENGTH }, (_, index) => {
    const [i, j] = [Math.floor(index / LENGTH), index % LENGTH];
    if ((Math.floor(i / 32) + Math.floor(j / 32)) % 2 === 1) return 0;
    return i === j || noise[index]! > 0 ? 1 : 0;
  });
}

describe('maskFrom with skipEmptyTiles', () => {
  it('skips the empty tiles on the device and equals dense attention under the tensor (float64)', async () => {
    const shape = [1, HEADS, LENGTH, DIM];
    const [query, key, value] = qkvInputs(shape);
    const keepShape = [1, 1, LENGTH, LENGTH];
    const keepNode = input('keep', keepShape, 'i32');
    const outputOf = (skipEmptyTiles: boolean) =>
      applyAttention(
        attention({
          heads: HEADS,
          headDim: DIM,
          mask: maskFrom(tensorRef('keep', keepShape, 'i32'), { skipEmptyTiles }),
        }),
        { query, key, value, tensors: { keep: keepNode } },
      ).output;
    const graph = makeGraph({ skipping: outputOf(true), plain: outputOf(false) });
    const count = HEADS * LENGTH * DIM;
    const keep = keepTensor();
    const values = { q: seeded(count, 42), k: seeded(count, 43), v: seeded(count, 44), keep };
    const rows = { heads: HEADS, length: LENGTH, dim: DIM };
    const sizes = { batch: 1, heads: HEADS, queries: LENGTH, keys: LENGTH, headDim: DIM, valueDim: DIM };
    const dense = weightedValues(sizes, values.v, (b, h, i) => {
      const queryRow = rowOf(values.q, rows, b, h, i);
      const keys = Array.from({ length: LENGTH }, (_, j) => j);
      return softmaxRow(
        keys.map((j) => dot(queryRow, rowOf(values.k, rows, b, h, j)) / Math.sqrt(DIM)),
        keys.map((j) => keep[i * LENGTH + j] === 1),
      );
    });
    const reference = interpret(graph, { inputs: values });
    expect(relativeError(reference.skipping!.data, dense)).toBeLessThan(1e-12);
    const { device } = await getTestDevice();
    const run = await runKernels(device, graph, values, {});
    const errors = {
      skipping: relativeError(run.outputs.skipping!, dense),
      plain: relativeError(run.outputs.plain!, dense),
    };
    console.log('maskFrom skipEmptyTiles vs float64', errors, 'kernels', run.kernels);
    expect(errors.skipping).toBeLessThan(TOLERANCE);
    expect(errors.plain).toBeLessThan(TOLERANCE);
    // Only the skipping kernel lists its tiles from the tile table (the plain one calls every tile partial).
    const attentionKernels = run.wgsl.filter((wgsl) => wgsl.includes('fn begin_tile('));
    const listTiles = (wgsl: string) => {
      const start = wgsl.indexOf('fn list_tiles(');
      return start < 0 ? '' : wgsl.slice(start, wgsl.indexOf('\n}', start));
    };
    expect(attentionKernels.map((wgsl) => /keep_tiles\[/.test(listTiles(wgsl))).sort()).toEqual([
      false,
      true,
    ]);
  }, 120_000);
});
