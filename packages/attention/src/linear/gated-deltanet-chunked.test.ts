import { input, interpret, makeGraph, SpecError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseGatedDeltaNet } from '../../test/dense-gated-deltanet.js';
import { gatedDeltaNet } from './gated-deltanet.js';

const F64 = 1e-10;

function operands(B: number, H: number, N: number, D: number, E: number, seed: number) {
  const tensor = (shape: number[], offset: number, min = -1, max = 1) =>
    randomTensor(shape, { seed: seed + offset, min, max }).data;
  // β = sigmoid(·) ∈ (0, 1) and g = −exp(A)·softplus(·) ≤ 0, as the layer makes them.
  return {
    q: tensor([B, H, N, D], 1),
    k: tensor([B, H, N, D], 2),
    v: tensor([B, H, N, E], 3),
    beta: tensor([B, H, N], 4, 0.05, 0.95),
    g: tensor([B, H, N], 5, -0.6, 0),
  };
}

describe('Gated DeltaNet, chunked form (float64)', () => {
  for (const N of [1, 5, 23, 37])
    for (const C of [4, 8, 16])
      for (const decay of [false, true])
        it(`chunked = parallel = the recurrence, N ${N}, C ${C}, ${decay ? 'gated' : 'α = 1'}`, () => {
          const [B, H, D, E] = [2, 2, 3, 4];
          const values = operands(B, H, N, D, E, 100 * N + 10 * C + (decay ? 1 : 0));
          const { g, ...plain } = values;
          const x = {
            q: input('q', [B, H, N, D]),
            k: input('k', [B, H, N, D]),
            v: input('v', [B, H, N, E]),
            beta: input('beta', [B, H, N]),
          };
          const gates = { beta: x.beta, ...(decay ? { logDecay: input('g', [B, H, N]) } : {}) };
          const parallel = gatedDeltaNet(x.q, x.k, x.v, { name: 'p', ...gates, returnState: true });
          const chunked = gatedDeltaNet(x.q, x.k, x.v, {
            name: 'c',
            ...gates,
            form: 'chunked',
            chunkSize: C,
            returnState: true,
          });
          const graph = makeGraph({
            parallel: parallel.output,
            chunked: chunked.output,
            parallelState: parallel.state!.values,
            chunkedState: chunked.state!.values,
          });
          const results = interpret(graph, { inputs: decay ? values : plain });
          const dense = denseGatedDeltaNet({ B, H, N, D, E }, decay ? { ...plain, g } : plain);
          expect(relativeError(results.chunked!.data, dense)).toBeLessThan(F64);
          expect(relativeError(results.parallel!.data, dense)).toBeLessThan(F64);
          expect(relativeError(results.chunkedState!.data, results.parallelState!.data)).toBeLessThan(F64);
        });

  it('rejects a chunkSize outside [1, 64], naming the block', () => {
    const q = input('q', [1, 1, 8, 2]);
    const beta = input('beta', [1, 1, 8]);
    for (const chunkSize of [0, 2.5, 128])
      expect(() => gatedDeltaNet(q, q, q, { name: 'layer.3', beta, form: 'chunked', chunkSize })).toThrow(
        SpecError,
      );
    expect(() => gatedDeltaNet(q, q, q, { name: 'layer.3', beta, form: 'chunked', chunkSize: 0 })).toThrow(
      /layer\.3.*chunkSize/,
    );
  });
});
