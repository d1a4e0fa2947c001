import { exp, input, makeGraph, runPipeline, symbolicDim } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { generateProgram } from './generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE } from './generated-kernel.js';

const NAMES = ['a__b', 'a_b_2', 'a_b'];

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** The fields of the `Params` struct, and the `params.x` fields the body reads. */
function paramsFields(wgsl: string): { declared: string[]; read: Set<string> } {
  const struct = /struct Params \{([^}]*)\}/.exec(wgsl)?.[1] ?? '';
  const declared = [...struct.matchAll(/(\w+): u32/g)].map((match) => match[1]!);
  const read = new Set([...wgsl.matchAll(/params\.(\w+)/g)].map((match) => match[1]!));
  return { declared, read };
}

describe('symbolic dim names map to distinct WGSL uniform fields', () => {
  const orders = permutations(NAMES).flatMap((shapeOrder) =>
    permutations([0, 1, 2]).map((maxOrder) => ({ shapeOrder, maxOrder })),
  );
  it.each(orders.map((order, index) => [index, order] as const))(
    'order %i',
    (_index, { shapeOrder, maxOrder }) => {
      const dims = shapeOrder.map((name, axis) => symbolicDim(name, { max: 2 + maxOrder[axis]! }));
      const graph = makeGraph({ y: exp(input('x', dims)) });
      const { plan } = runPipeline(graph, { fuse: true, alignment: 256 });
      for (const kernel of generateProgram(plan, DEFAULT_DEVICE_PROFILE)) {
        const { declared, read } = paramsFields(kernel.wgsl);
        expect(new Set(declared).size, kernel.wgsl).toBe(declared.length);
        for (const field of read) expect(declared, kernel.wgsl).toContain(field);
        // Each dim's value lands in its own field.
        const words = kernel.uniforms(
          Object.fromEntries(dims.map((dim, axis) => [dim.name, maxOrder[axis]! + 1])),
        );
        const values = [...words.slice(0, dims.length)].sort();
        expect(values).toEqual([1, 2, 3]);
      }
    },
  );
});
