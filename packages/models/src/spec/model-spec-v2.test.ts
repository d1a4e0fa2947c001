import { graphNodes, interpret, tensor64, WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { buildDecoderGraph } from '../model/decoder-graph.js';
import { buildDecoderLmGraph } from '../model/decoder-lm-graph.js';
import { estimateSpecMemory } from '../model/memory-estimate.js';
import { buildModelGraph } from '../model/model-definition.js';
import { graphParameters } from '../model/model-parameters.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { HYBRID_DECODER, HYBRID_DECODER_SPEC } from '../testing/hybrid-decoder.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import { selectedLayers } from './layer-overrides.js';
import { modelSpecToJSON, parseModelSpec, parseModelSpecJSON } from './model-spec-json.js';
import type { ModelSpecV2Input } from './model-spec-v2-types.js';

const hashes = (graph: { outputs: Readonly<Record<string, { hash: string }>> }) =>
  Object.fromEntries(Object.entries(graph.outputs).map(([name, node]) => [name, node.hash]));

function withConfig(patch: Record<string, unknown>): unknown {
  return { ...HYBRID_DECODER_SPEC, config: { ...HYBRID_DECODER_SPEC.config, ...patch } };
}

function messageOf(document: unknown): string {
  try {
    parseModelSpec(document);
  } catch (error) {
    expect(WeftError.isInstance(error) && error.code).toBe('spec');
    return (error as Error).message;
  }
  throw new Error('expected a SpecError, but the document parsed');
}

/** TINY_LLAMA written as a v2 spec. */
const TINY_LLAMA_V2: ModelSpecV2Input = {
  schemaVersion: 2,
  kind: 'decoder-lm',
  config: {
    vocabSize: 48,
    dModel: 32,
    layers: 2,
    maxSeq: 16,
    attention: { heads: 4, kvHeads: 2, headDim: 8, positions: { kind: 'rope' } },
    mlp: { kind: 'swiglu', hidden: 48 },
    norm: { layer: { kind: 'rmsnorm', eps: 1e-6 } },
  },
};

describe('model spec v2', () => {
  it.each(['forward', 'step'] as const)(
    'the hybrid decoder in JSON builds the graph of its TS definition (%s)',
    (mode) => {
      const fromJson = buildModelGraph(parseModelSpecJSON(JSON.stringify(HYBRID_DECODER_SPEC)), { mode });
      const fromTs = buildDecoderGraph(HYBRID_DECODER, { mode });
      expect(hashes(fromJson.graph)).toEqual(hashes(fromTs.graph));
      expect(fromJson.state).toEqual(fromTs.state);
    },
  );

  it('a v1 spec and its v2 form build the same graph', () => {
    for (const mode of ['forward', 'step'] as const) {
      const v1 = buildDecoderLmGraph(parseModelSpec(TINY_LLAMA).config, { mode });
      const v2 = buildModelGraph(parseModelSpec(TINY_LLAMA_V2), { mode });
      expect(hashes(v2.graph)).toEqual(hashes(v1.graph));
    }
  });

  it('v1 documents still load, with a "$schema" key too', () => {
    const v1 = parseModelSpec({ $schema: './model.schema.json', ...TINY_GPT });
    expect(v1.schemaVersion).toBe(1);
    expect(parseModelSpec(TINY_LLAMA).schemaVersion).toBe(1);
  });

  it('survives JSON: parse(toJSON(spec)) equals spec', () => {
    const spec = parseModelSpec({ $schema: '../schema/model.schema.json', ...HYBRID_DECODER_SPEC });
    expect(parseModelSpecJSON(modelSpecToJSON(spec))).toEqual(spec);
  });

  it('selects layers by name, list and stride', () => {
    expect(selectedLayers('even', 5, 'x')).toEqual([0, 2, 4]);
    expect(selectedLayers('odd', 5, 'x')).toEqual([1, 3]);
    expect(selectedLayers('all', 3, 'x')).toEqual([0, 1, 2]);
    expect(selectedLayers([3, 0, 3], 5, 'x')).toEqual([0, 3]);
    expect(selectedLayers({ every: 4, offset: 3 }, 12, 'x')).toEqual([3, 7, 11]);
  });

  it('later overrides win, and a partial override keeps the other keys', () => {
    const spec = parseModelSpec(
      withConfig({
        overrides: [
          { layers: 'all', attention: { mask: { kind: 'slidingWindow', window: 8 } } },
          { layers: [3], attention: { mask: null }, mlp: { hidden: 64 } },
        ],
      }),
    );
    const graph = buildModelGraph(spec, { mode: 'forward' }).graph;
    const params = new Map(
      graphNodes(graph)
        .filter((node) => node.op === 'param')
        .map((node) => [String(node.attrs.name), node.shape]),
    );
    expect(params.get('layers.3.mlp.wDown')).toEqual([64, 32]);
    expect(params.get('layers.2.mlp.wDown')).toEqual([48, 32]);
  });

  it.each([
    [withConfig({ layers: 0 }), 'config.layers: expected a positive integer, got 0'],
    [withConfig({ vocabSize: 2 ** 23 }), 'config.vocabSize: expected a positive integer at most 4194304'],
    [
      withConfig({ attention: { ...HYBRID_DECODER_SPEC.config.attention, heads: 4096 } }),
      'config.attention.heads',
    ],
    [
      withConfig({ attention: { ...HYBRID_DECODER_SPEC.config.attention, headDim: 8192 } }),
      'config.attention.headDim: expected a positive integer at most 4096, got 8192',
    ],
    [
      withConfig({ mlp: { kind: 'swiglu', hidden: 2 ** 21 } }),
      'config.mlp.hidden: expected a positive integer at most',
    ],
    [
      withConfig({ attention: { heads: 4, headDim: 8, normaliser: {} } }),
      'config.attention.normaliser: unknown key',
    ],
    [
      withConfig({ overrides: [{ layers: [4], attention: { mask: null } }] }),
      'config.overrides[0].layers[0]: expected a layer index below layers (4), got 4',
    ],
    [
      withConfig({ overrides: [{ layers: { every: 2, offset: 7 } }] }),
      'config.overrides[0].layers: the selector picks no layer',
    ],
    [
      withConfig({ overrides: [{ layers: 'even', attention: { heads: null } }] }),
      'config.overrides[0].attention.heads',
    ],
    [
      withConfig({ overrides: [{ layers: 'odd', attention: { kvHeads: 3 } }] }),
      'layer 1: config.overrides[0].attention',
    ],
    [withConfig({ norm: { kind: 'rmsnorm' } }), 'config.norm'],
    [
      withConfig({ positions: { kind: 'learned', max: 8 } }),
      'config.positions.max: expected at least maxSeq (16)',
    ],
    [{ ...HYBRID_DECODER_SPEC, extra: 1 }, 'extra: unknown key'],
  ])('reports %#: %s', (document, expected) => {
    expect(messageOf(document)).toContain(expected);
  });

  it('estimates memory layer by layer', () => {
    const v1 = estimateSpecMemory(parseModelSpec(TINY_LLAMA));
    const v2 = estimateSpecMemory(parseModelSpec(TINY_LLAMA_V2));
    expect(v2).toEqual(v1);
  });

  it('compileModel refuses a v2 model larger than the CPU backend allows, before building it', async () => {
    const huge = withConfig({ vocabSize: 2 ** 22, dModel: 2 ** 14 });
    await expect(compileModel(huge as ModelSpecV2Input, { device: 'cpu' })).rejects.toThrow(/maxBufferSize/);
  });

  it('compileModel runs the hybrid decoder: decode with the KV cache equals recomputing the prefix (CPU)', async () => {
    const model = await compileModel(HYBRID_DECODER_SPEC, { device: 'cpu', seed: 3 });
    const tokens = [5, 17, 2, 40, 11, 9, 33, 1];
    const errors = await decodeVersusRecompute(model, tokens, 3);
    for (const error of errors) expect(error).toBeLessThan(1e-6);
    const { tokens: generated } = await model.generate([1, 2, 3], {
      maxTokens: 4,
      sampling: { kind: 'greedy' },
    });
    expect(generated).toHaveLength(4);
    model.destroy();
  });

  describe('GPT-2 vocabulary: tanh GELU MLP, QKV and output biases, LayerNorm with bias', () => {
    const gpt2Style = (approximate: 'none' | 'tanh', outputBias: boolean): ModelSpecV2Input => ({
      schemaVersion: 2,
      kind: 'decoder-lm',
      config: {
        vocabSize: 24,
        dModel: 16,
        layers: 1,
        maxSeq: 8,
        attention: { heads: 2, headDim: 8, positions: { kind: 'nope' }, bias: true, outputBias },
        mlp: { kind: 'gelu', hidden: 32, bias: true, approximate },
        norm: { layer: { kind: 'layernorm', eps: 1e-5 } },
        positions: { kind: 'learned', max: 8 },
        tieEmbeddings: true,
      },
    });

    it('names the biases and the LayerNorm shifts as parameters', () => {
      const { graph } = buildModelGraph(parseModelSpec(gpt2Style('tanh', true)), { mode: 'forward' });
      expect(graphParameters(graph).map(({ name, shape }) => `${name} [${shape.join(', ')}]`)).toEqual([
        'embedding.positions [8, 16]',
        'embedding.tokens [24, 16]',
        'finalNorm.beta [16]',
        'finalNorm.gamma [16]',
        'layers.0.attn.bo [16]',
        'layers.0.attn.bqkv [48]',
        'layers.0.attn.wo [16, 16]',
        'layers.0.attn.wqkv [16, 48]',
        'layers.0.attnNorm.beta [16]',
        'layers.0.attnNorm.gamma [16]',
        'layers.0.mlp.bDown [16]',
        'layers.0.mlp.bUp [32]',
        'layers.0.mlp.wDown [32, 16]',
        'layers.0.mlp.wUp [16, 32]',
        'layers.0.mlpNorm.beta [16]',
        'layers.0.mlpNorm.gamma [16]',
      ]);
      const withoutBias = buildModelGraph(parseModelSpec(gpt2Style('tanh', false)), { mode: 'forward' });
      expect(graphParameters(withoutBias.graph).map(({ name }) => name)).not.toContain('layers.0.attn.bo');
    });

    it('approximate "tanh" is the tanh approximation: the MLP differs from exact GELU by its (small) error', () => {
      const build = (kind: 'none' | 'tanh') =>
        buildModelGraph(parseModelSpec(gpt2Style(kind, true)), { mode: 'forward' }).graph;
      const tanhGraph = build('tanh');
      const usesTanhGelu = (graph: typeof tanhGraph) =>
        graphNodes(graph).some((node) => node.attrs.fn === 'geluTanh');
      expect(usesTanhGelu(tanhGraph)).toBe(true);
      expect(usesTanhGelu(build('none'))).toBe(false);
      const params = randomGraphParams(tanhGraph, 5);
      const inputs = { tokens: tensor64([1, 4], [3, 1, 20, 7], 'i32') };
      const run = (graph: typeof tanhGraph) =>
        interpret(graph, { inputs, params, dims: { seq: 4 } }).logits!.data;
      const tanhLogits = run(tanhGraph);
      const exactLogits = run(build('none'));
      let difference = 0;
      for (let i = 0; i < tanhLogits.length; i++)
        difference = Math.max(difference, Math.abs(tanhLogits[i]! - exactLogits[i]!));
      // |gelu_tanh − gelu| < 5e-4 everywhere: the logits move, but only a little.
      expect(difference).toBeGreaterThan(0);
      expect(difference).toBeLessThan(0.05);
    });

    it('refuses an unknown GELU form and a non-boolean outputBias with their paths', () => {
      const spec = gpt2Style('tanh', true);
      expect(
        messageOf({
          ...spec,
          config: { ...spec.config, mlp: { kind: 'gelu', hidden: 32, approximate: 'gelu_new' } },
        }),
      ).toContain('config.mlp.approximate');
      const attention = { heads: 2, headDim: 8, outputBias: 'yes' };
      expect(messageOf({ ...spec, config: { ...spec.config, attention } })).toContain(
        'config.attention.outputBias',
      );
    });

    it('a per-layer override turns outputBias off', () => {
      const base = gpt2Style('tanh', true);
      const document = {
        ...base,
        config: { ...base.config, layers: 2, overrides: [{ layers: [1], attention: { outputBias: null } }] },
      };
      const { graph } = buildModelGraph(parseModelSpec(document), { mode: 'forward' });
      const names = graphParameters(graph).map(({ name }) => name);
      expect(names).toContain('layers.0.attn.bo');
      expect(names).not.toContain('layers.1.attn.bo');
    });
  });
});
