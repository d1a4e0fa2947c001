import { decomposeExtensionOps, interpret } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { lightningAttentionCatalogEntry } from '../catalog/lightning-attention-entry.js';
import { LINEAR_ATTENTION_CATALOG } from './linear-catalog.js';

describe('LINEAR_ATTENTION_CATALOG', () => {
  it.each(LINEAR_ATTENTION_CATALOG.map((entry) => [entry.mechanism, entry] as const))(
    '%s: reference = decomposition, finite and not all zeros',
    (_, entry) => {
      const { graph, inputs, params, dims } = entry.build();
      const reference = interpret(graph, { inputs, params, dims });
      const decomposed = interpret(decomposeExtensionOps(graph), { inputs, params, dims });
      for (const [name, tensor] of Object.entries(reference)) {
        expect(tensor.data.every(Number.isFinite), name).toBe(true);
        expect(
          tensor.data.some((value) => value !== 0),
          name,
        ).toBe(true);
        expect(relativeError(decomposed[name]!.data, tensor.data), name).toBeLessThan(1e-12);
      }
    },
  );

  it('lightning-attention-chunked computes what the quadratic lightning-attention entry computes', () => {
    const chunked = LINEAR_ATTENTION_CATALOG.find(
      (entry) => entry.mechanism === 'lightning-attention-chunked',
    )!;
    const linear = chunked.build();
    const quadratic = lightningAttentionCatalogEntry.build();
    const a = interpret(linear.graph, { inputs: linear.inputs }).output!.data;
    const b = interpret(quadratic.graph, { inputs: quadratic.inputs, params: quadratic.params }).output!.data;
    // The quadratic entry reads its slopes from an f32 parameter; the linear one keeps λ in f64.
    expect(relativeError(a, b)).toBeLessThan(1e-6);
  });

  it('log-linear-gated-deltanet-chunked computes what the parallel log-linear-gated-deltanet entry computes', () => {
    const build = (mechanism: string) => {
      const { graph, inputs } = LINEAR_ATTENTION_CATALOG.find(
        (entry) => entry.mechanism === mechanism,
      )!.build();
      return interpret(graph, { inputs }).output!.data;
    };
    expect(
      relativeError(build('log-linear-gated-deltanet-chunked'), build('log-linear-gated-deltanet')),
    ).toBeLessThan(1e-10);
  });
});
