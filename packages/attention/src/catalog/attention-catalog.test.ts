import { decomposeExtensionOps, interpret } from '@weft/ir';
import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { ATTENTION_CATALOG } from './attention-catalog.js';

describe('ATTENTION_CATALOG', () => {
  for (const entry of ATTENTION_CATALOG) {
    it(`${entry.mechanism} (paper ${entry.paper ?? 'none'}): reference = decomposition, finite`, () => {
      const { graph, params, inputs, dims } = entry.build();
      const reference = interpret(graph, { inputs, params, dims });
      const decomposed = interpret(decomposeExtensionOps(graph), { inputs, params, dims });
      for (const name of Object.keys(graph.outputs)) {
        expect(Array.from(reference[name]!.data).every(Number.isFinite)).toBe(true);
        expectClose(decomposed[name]!, reference[name]!, {
          rtol: 1e-9,
          atol: 1e-12,
          label: `${entry.mechanism} ${name}`,
        });
      }
      // The compositions interpret several attention ops (NSA: three, at N = 256) on a shared host.
    }, 120_000);
  }
});
