import { graphNodes, MemoryLimitError, SpecError, WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { MODEL_SPEC_LIMITS } from '../spec/model-spec-schema.js';
import type { ModelSpecInput } from '../spec/model-spec-types.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { compileModel } from './compile-model.js';
import { buildDecoderLmGraph } from './decoder-lm-graph.js';

function withConfig(config: Record<string, unknown>): ModelSpecInput {
  return { ...TINY_LLAMA, config: { ...TINY_LLAMA.config, ...config } } as ModelSpecInput;
}

// The error's class says where the refusal happened (the schema: SpecError; the size check before
// any weight is made: MemoryLimitError). No wall-clock bound: it would be flaky on a loaded machine.
async function rejectionOf(spec: ModelSpecInput): Promise<Error> {
  return compileModel(spec, { device: 'cpu' }).then(
    (model) => {
      model.destroy();
      throw new Error('expected compileModel to reject');
    },
    (caught: unknown) => caught as Error,
  );
}

describe('schema-valid but huge model specs are refused with a WeftError', () => {
  it.each([
    [
      'maxSeq',
      { maxSeq: 1e9 },
      /config\.maxSeq: expected a positive integer at most 1048576, got 1000000000/,
    ],
    ['vocabSize', { vocabSize: 2 ** 31 }, /config\.vocabSize: expected a positive integer at most 4194304/],
    [
      'mlp.hidden',
      { mlp: { kind: 'swiglu', hidden: 1e9 } },
      /config\.mlp\.hidden: expected a positive integer at most/,
    ],
    ['layers', { layers: 1e5 }, /config\.layers: expected a positive integer at most 1024/],
    ['vocabSize 1e8', { vocabSize: 1e8 }, /config\.vocabSize/],
  ])('%s beyond the schema bound is a SpecError', async (_label, config, pattern) => {
    const error = await rejectionOf(withConfig(config));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toMatch(pattern);
  });

  it('a spec within the bounds but beyond the device limit is refused before any weight is made', async () => {
    const spec = withConfig({ vocabSize: MODEL_SPEC_LIMITS.vocabSize, dModel: 4096 });
    const error = await rejectionOf(spec);
    expect(WeftError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(MemoryLimitError);
    expect(error.message).toMatch(
      /needs about \d.* GiB \(parameters .* \+ KV caches .* \+ activations .*\).*maxBufferSize/,
    );
    expect(error.message).toMatch(/expected at most 2147483648 bytes/);
  });

  it('the KV cache computes its slot indices in the kernel: no host literal of maxSeq values', () => {
    const config = parseModelSpec(withConfig({ maxSeq: 4096, layers: 1 })).config;
    const { graph } = buildDecoderLmGraph(config, { mode: 'step' });
    const literals = graphNodes(graph).filter((node) => node.op === 'literal');
    const largest = Math.max(0, ...literals.map((node) => (node.attrs.values as number[]).length));
    expect(largest).toBeLessThan(4096);
  });

  it('maxSeq 2^18 on a one-layer model compiles on the CPU', async () => {
    const model = await compileModel(withConfig({ maxSeq: 2 ** 18, layers: 1 }), { device: 'cpu', seed: 1 });
    expect(model.graphs.decoder.outputs.logits).toBeDefined();
    model.destroy();
  });
});
