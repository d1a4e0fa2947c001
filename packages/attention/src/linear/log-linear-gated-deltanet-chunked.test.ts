import { input, interpret, literal, makeGraph, mul, ShapeError, SpecError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseLogLinearGatedDeltaNet } from '../../test/dense-gated-deltanet.js';
import { deltaRuleChunks } from './delta-rule-chunked.js';
import { deltaRuleQueryKey } from './delta-rule-parts.js';
import { fenwickLevelCount } from './fenwick-levels.js';
import { chunkedLogLinearDeltaRule } from './log-linear-delta-rule-chunked.js';
import { logLinearGatedDeltaNet } from './log-linear-gated-deltanet.js';

const F64 = 1e-10;

function operands(B: number, H: number, N: number, D: number, E: number, L: number, seed: number) {
  const tensor = (shape: number[], offset: number, min = -1, max = 1) =>
    randomTensor(shape, { seed: seed + offset, min, max }).data;
  // β = sigmoid(·) ∈ (0, 1), g = −exp(A)·softplus(·) ≤ 0, λ ≥ 0, as the layer makes them.
  return {
    q: tensor([B, H, N, D], 1),
    k: tensor([B, H, N, D], 2),
    v: tensor([B, H, N, E], 3),
    beta: tensor([B, H, N], 4, 0.05, 0.95),
    g: tensor([B, H, N], 5, -0.6, 0),
    lambda: tensor([B, H, N, L], 6, 0, 2),
  };
}

function graphInputs(B: number, H: number, N: number, D: number, E: number, L: number, decay: boolean) {
  const x = {
    q: input('q', [B, H, N, D]),
    k: input('k', [B, H, N, D]),
    v: input('v', [B, H, N, E]),
    lambda: input('lambda', [B, H, N, L]),
  };
  const gates = {
    beta: input('beta', [B, H, N]),
    ...(decay ? { logDecay: input('g', [B, H, N]) } : {}),
  };
  return { x, gates };
}

describe('log-linear Gated DeltaNet (paper 109), chunked form (float64)', () => {
  for (const N of [1, 5, 23, 37, 64, 70])
    for (const C of [4, 8, 16])
      for (const decay of [false, true])
        it(`chunked = parallel = the recurrence (outputs and level states), N ${N}, C ${C}, ${decay ? 'gated' : 'α = 1'}`, () => {
          // λ with exactly the levels N needs, or one spare (the state keeps it, empty or not).
          const [B, H, D, E, L] = [1, 2, 3, 4, fenwickLevelCount(N) + (C === 8 ? 1 : 0)];
          const values = operands(B, H, N, D, E, L, 1000 * N + 10 * C + (decay ? 1 : 0));
          const { g, ...plain } = values;
          const { x, gates } = graphInputs(B, H, N, D, E, L, decay);
          // A state needs a level ≥ 1 (λ of one column, N = 1, has none).
          const options = { ...gates, returnState: L > 1 };
          const parallel = logLinearGatedDeltaNet(x.q, x.k, x.v, x.lambda, { name: 'p', ...options });
          const chunked = logLinearGatedDeltaNet(x.q, x.k, x.v, x.lambda, {
            name: 'c',
            ...options,
            form: 'chunked',
            chunkSize: C,
          });
          const results = interpret(
            makeGraph({
              parallel: parallel.output,
              chunked: chunked.output,
              ...(L > 1
                ? {
                    parallelState: parallel.state!.levels,
                    chunkedState: chunked.state!.levels,
                    position: chunked.state!.position,
                  }
                : {}),
            }),
            { inputs: decay ? values : plain },
          );
          const dense = denseLogLinearGatedDeltaNet({ B, H, N, D, E, L }, decay ? values : plain);
          expect(relativeError(results.chunked!.data, dense)).toBeLessThan(F64);
          expect(relativeError(results.parallel!.data, dense)).toBeLessThan(F64);
          if (L > 1) {
            expect(relativeError(results.chunkedState!.data, results.parallelState!.data)).toBeLessThan(F64);
            expect(results.position!.data[0]).toBe(N);
          }
        });

  it('fails once a key correction is dropped (the checks above can catch a missing delta-rule erase)', () => {
    const [B, H, N, D, E, C] = [1, 2, 37, 3, 4, 4];
    const L = fenwickLevelCount(N);
    const values = operands(B, H, N, D, E, L, 9);
    const { x, gates } = graphInputs(B, H, N, D, E, L, true);
    const read = deltaRuleQueryKey(x.q, x.k, {});
    const sizes = { B, H, N, dk: D, dv: E };
    const parts = deltaRuleChunks(read.query, read.key, x.v, gates.beta, gates.logDecay, sizes, C);
    const identity = literal(
      Array.from({ length: C * C }, (_, at) => (at % (C + 1) === 0 ? 1 : 0)),
      [1, 1, 1, C, C],
    );
    const build = (mutated: typeof parts) =>
      chunkedLogLinearDeltaRule(mutated, x.lambda, { ...sizes, L }, false);
    const results = interpret(
      makeGraph({
        intact: build(parts).output,
        // −W h: a state entering a chunk is no longer erased by the chunk's keys.
        noStateErase: build({ ...parts, weights: mul(parts.weights, 0) }).output,
        // T = I: the keys of a chunk no longer correct each other's writes.
        noIntraSolve: build({ ...parts, solve: identity }).output,
      }),
      { inputs: values },
    );
    const dense = denseLogLinearGatedDeltaNet({ B, H, N, D, E, L }, values);
    expect(relativeError(results.intact!.data, dense)).toBeLessThan(F64);
    expect(relativeError(results.noStateErase!.data, dense)).toBeGreaterThan(1e-3);
    expect(relativeError(results.noIntraSolve!.data, dense)).toBeGreaterThan(1e-3);
  });

  it('rejects a chunkSize that is not a power of two in [1, 64], naming the block', () => {
    const q = input('q', [1, 1, 8, 2]);
    const beta = input('beta', [1, 1, 8]);
    const lambda = input('lambda', [1, 1, 8, 4]);
    for (const chunkSize of [0, 3, 2.5, 128])
      expect(() =>
        logLinearGatedDeltaNet(q, q, q, lambda, { name: 'layer.3', beta, form: 'chunked', chunkSize }),
      ).toThrow(SpecError);
    expect(() =>
      logLinearGatedDeltaNet(q, q, q, lambda, { name: 'layer.3', beta, form: 'chunked', chunkSize: 12 }),
    ).toThrow(/layer\.3.*chunkSize/);
  });

  it('asks for a λ column past level 0 before it returns a state, naming the block and tensor', () => {
    const q = input('q', [1, 1, 1, 2]);
    const beta = input('beta', [1, 1, 1]);
    const lambda = input('lambda', [1, 1, 1, 1]);
    for (const form of ['parallel', 'chunked'] as const)
      expect(() =>
        logLinearGatedDeltaNet(q, q, q, lambda, { name: 'layer.3', beta, form, returnState: true }),
      ).toThrow(ShapeError);
    expect(() =>
      logLinearGatedDeltaNet(q, q, q, lambda, { name: 'layer.3', beta, returnState: true }),
    ).toThrow(/layer\.3.*levelWeights/);
  });
});
