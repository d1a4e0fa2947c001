import type { Tensor64 } from '@weft/ir';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCase, referenceOf, tensorRef } from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import { causal, type ThresholdCompensation, topTheta } from './index.js';

/** f32 kernel vs float64, normwise relative error: softmax rows of at most 128 keys. */
const TOLERANCE = 2e-6;

const HEADS = 2;
const LENGTH = 128;
const HEAD_DIM = 16;
/** Keys in groups of 32 (the kernel's key tile on every adapter is 32 or a divisor of it). */
const GROUP = 32;
/** Per head, the key groups whose scores lie far above θ = 0; the others lie far below. */
const HOT: readonly (readonly number[])[] = [[0, 2], [1]];

/**
 * q has +3 in dim 0; k has +3 in dim 0 in the hot groups of its head and −3 elsewhere, the other
 * dims seeded in (−1, 1): hot scores ≈ +2.25, cold ≈ −2.25, so θ = 0 (asserted margin) prunes
 * every key of a cold group for every row, and the kernel may skip its V tiles.
 */
function hotColdCase(
  compensation: ThresholdCompensation,
  valueTiles: 'skipPruned' | 'loadAll',
  theta: number[],
) {
  const shape = {
    batch: 1,
    heads: HEADS,
    kvHeads: HEADS,
    queries: LENGTH,
    keys: LENGTH,
    headDim: HEAD_DIM,
    valueDim: HEAD_DIM,
  };
  const threshold: Tensor64 = { shape: [HEADS], dtype: 'f32', data: Float64Array.from(theta) };
  const testCase = buildCase(
    shape,
    {
      mask: causal(),
      normalizer: topTheta({ threshold: tensorRef('theta', [HEADS]), compensation, valueTiles }),
    },
    { theta: { tensor: threshold } },
    71,
  );
  const q = testCase.inputs.q!.data;
  const k = testCase.inputs.k!.data;
  for (let h = 0; h < HEADS; h++)
    for (let i = 0; i < LENGTH; i++) {
      q[(h * LENGTH + i) * HEAD_DIM] = 3;
      k[(h * LENGTH + i) * HEAD_DIM] = HOT[h]!.includes(Math.floor(i / GROUP)) ? 3 : -3;
    }
  return testCase;
}

/** Top-θ from the paper, float64, causal: p_ij = e^{s_ij − m_i}[s_ij ≥ θ_h]/Z_i (Z: kept or all visible). */
function denseTopTheta(
  inputs: Record<string, Tensor64>,
  theta: readonly number[],
  compensation: 'none' | 'denominator',
): { output: Float64Array; margin: number } {
  const [q, k, v] = [inputs.q!.data, inputs.k!.data, inputs.v!.data];
  const output = new Float64Array(HEADS * LENGTH * HEAD_DIM);
  let margin = Number.POSITIVE_INFINITY;
  for (let h = 0; h < HEADS; h++)
    for (let i = 0; i < LENGTH; i++) {
      const scores: number[] = [];
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let d = 0; d < HEAD_DIM; d++)
          dot += q[(h * LENGTH + i) * HEAD_DIM + d]! * k[(h * LENGTH + j) * HEAD_DIM + d]!;
        scores.push(dot / Math.sqrt(HEAD_DIM));
        margin = Math.min(margin, Math.abs(scores[j]! - theta[h]!));
      }
      const m = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - m));
      const kept = exps.map((e, j) => (scores[j]! >= theta[h]! ? e : 0));
      const total = (compensation === 'none' ? kept : exps).reduce((a, b) => a + b, 0);
      for (let j = 0; j <= i; j++)
        for (let d = 0; d < HEAD_DIM; d++)
          output[(h * LENGTH + i) * HEAD_DIM + d]! +=
            total > 0 ? (kept[j]! / total) * v[(h * LENGTH + j) * HEAD_DIM + d]! : 0;
    }
  return { output, margin };
}

const errors: Record<string, number> = {};

describe('Top-θ skips the V tiles whose every key is pruned', () => {
  afterAll(() => console.log('top-θ value tiles, errors vs float64:', errors));

  for (const compensation of ['none', 'denominator'] as const) {
    it(`${compensation}: skipped and loaded V tiles give the paper's float64 result`, async () => {
      // Head 1 with θ = 9 prunes every key: each of its tiles is skipped and its rows are 0.
      for (const theta of [
        [0, 0],
        [0, 9],
      ]) {
        const dense = denseTopTheta(
          hotColdCase(compensation, 'skipPruned', theta).inputs,
          theta,
          compensation,
        );
        expect(dense.margin, 'θ margin').toBeGreaterThan(0.1);
        const outputs: Float32Array[] = [];
        for (const valueTiles of ['skipPruned', 'loadAll'] as const) {
          const testCase = hotColdCase(compensation, valueTiles, theta);
          const { outputs: run, wgsl } = await runCase(testCase);
          const label = `${compensation} ${valueTiles} θ=[${theta}]`;
          expectWithin(errors, label, run.output!, dense.output, TOLERANCE);
          expectWithin(
            errors,
            `${label} vs op reference`,
            run.output!,
            referenceOf(testCase).output!,
            TOLERANCE,
          );
          const kernel = wgsl.find((text) => text.includes('fn score_tile('))!;
          // The vote: V is staged only when some row of the workgroup keeps a key of the tile.
          expect(kernel.includes('workgroupUniformLoad(&value_vote[0])'), label).toBe(
            valueTiles === 'skipPruned',
          );
          expect(kernel.includes('fn load_tile('), label).toBe(valueTiles === 'loadAll');
          outputs.push(run.output!);
        }
        expect(Array.from(outputs[0]!)).toEqual(Array.from(outputs[1]!));
      }
    }, 120_000);
  }

  it('V-mean compensation reads every visible value row: its V tiles are all loaded', async () => {
    const testCase = hotColdCase('valueMean', 'skipPruned', [0, 0]);
    const { outputs, wgsl } = await runCase(testCase);
    expectWithin(errors, 'valueMean', outputs.output!, referenceOf(testCase).output!, TOLERANCE);
    expect(wgsl.some((text) => text.includes('value_vote'))).toBe(false);
  }, 120_000);
});
