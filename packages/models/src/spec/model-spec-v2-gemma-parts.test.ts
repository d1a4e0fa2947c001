import { input, interpret, makeGraph, tensor64, WeftError } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { mlp } from '../blocks/mlp.js';
import { tokenEmbedding } from '../blocks/token-embedding.js';
import { buildModelGraph } from '../model/model-definition.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { parseModelSpec } from './model-spec-json.js';
import type { ModelSpecV2Input } from './model-spec-v2-types.js';

// The v2 fields Gemma 2 needs: the embedding scale, the final logit softcap and the tanh GELU.

const BASE: ModelSpecV2Input = {
  schemaVersion: 2,
  kind: 'decoder-lm',
  config: {
    vocabSize: 24,
    dModel: 16,
    layers: 2,
    maxSeq: 8,
    attention: { heads: 2, headDim: 8, positions: { kind: 'rope' } },
    mlp: { kind: 'geglu', hidden: 24 },
    norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'sandwich' },
  },
};

function withConfig(patch: Record<string, unknown>): ModelSpecV2Input {
  return { ...BASE, config: { ...BASE.config, ...patch } } as ModelSpecV2Input;
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

const TOKENS = [3, 17, 5, 22, 9, 0];

function logitsOf(spec: ModelSpecV2Input, params: ReturnType<typeof randomGraphParams>): Float64Array {
  const { graph } = buildModelGraph(parseModelSpec(spec), { mode: 'forward' });
  return interpret(graph, {
    inputs: { tokens: tensor64([1, TOKENS.length], TOKENS, 'i32') },
    params,
    dims: { seq: TOKENS.length },
  }).logits!.data as Float64Array;
}

describe('model spec v2: embedding scale, logit softcap, tanh GELU', () => {
  it('validates the new fields with their JSON paths', () => {
    const spec = parseModelSpec(
      withConfig({
        embeddingScale: 4,
        logitSoftcap: 30,
        mlp: { kind: 'geglu', hidden: 24, approximate: 'tanh' },
      }),
    );
    expect(spec.config).toMatchObject({ embeddingScale: 4, logitSoftcap: 30, mlp: { approximate: 'tanh' } });
    expect(messageOf(withConfig({ logitSoftcap: 0 }))).toContain('config.logitSoftcap');
    expect(messageOf(withConfig({ embeddingScale: -1 }))).toContain('config.embeddingScale');
    expect(messageOf(withConfig({ mlp: { kind: 'geglu', hidden: 24, approximate: 'erf' } }))).toContain(
      'config.mlp.approximate',
    );
    expect(messageOf(withConfig({ mlp: { kind: 'swiglu', hidden: 24, approximate: 'tanh' } }))).toContain(
      'layer 0: config.mlp.approximate: "tanh" is for the gelu and geglu kinds, got kind "swiglu"',
    );
    expect(
      messageOf(
        withConfig({
          overrides: [{ layers: 'odd', mlp: { kind: 'swiglu' } }],
          mlp: { ...BASE.config.mlp, approximate: 'tanh' },
        }),
      ),
    ).toContain('layer 1: config.overrides[0].mlp.approximate');
  });

  it('the logit softcap is c · tanh(logits / c) of the uncapped logits', () => {
    const { graph } = buildModelGraph(parseModelSpec(BASE), { mode: 'forward' });
    const params = randomGraphParams(graph, 5, 2);
    const plain = logitsOf(BASE, params);
    const capped = logitsOf(withConfig({ logitSoftcap: 1.5 }), params);
    expect(Math.max(...plain.map(Math.abs))).toBeGreaterThan(1.5);
    let worst = 0;
    plain.forEach((value, index) => {
      worst = Math.max(worst, Math.abs(capped[index]! - 1.5 * Math.tanh(value / 1.5)));
    });
    expect(worst).toBeLessThan(1e-12);
  });

  it('the embedding scale multiplies the gathered rows by the float32 scale', () => {
    const tokens = input('tokens', [1, 3], 'i32');
    const graph = makeGraph({
      x: tokenEmbedding(tokens, { vocabSize: 6, dModel: 4, scale: Math.sqrt(3072) }),
    });
    const table = randomTensor([6, 4], { seed: 3, min: -1, max: 1 });
    const { data } = interpret(graph, {
      inputs: { tokens: tensor64([1, 3], [5, 0, 2], 'i32') },
      params: { 'embedding.tokens': table },
    }).x!;
    const factor = Math.fround(Math.sqrt(3072));
    [5, 0, 2].forEach((token, row) => {
      for (let i = 0; i < 4; i++) expect(data[row * 4 + i]).toBe(table.data[token * 4 + i]! * factor);
    });
  });

  it("the geglu MLP with approximate 'tanh' gates with x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))", () => {
    const x = input('x', [3, 4]);
    const graph = makeGraph({ y: mlp(x, { kind: 'geglu', hidden: 5, approximate: 'tanh' }, 'mlp') });
    const params = randomGraphParams(graph, 11, 1);
    const xs = randomTensor([3, 4], { seed: 2, min: -2, max: 2 });
    const { data } = interpret(graph, { inputs: { x: xs }, params }).y!;
    const gateUp = params['mlp.wGateUp']!.data; // [4, 10]: gate columns, then up
    const down = params['mlp.wDown']!.data; // [5, 4]
    const geluTanh = (v: number) =>
      0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    let worst = 0;
    for (let row = 0; row < 3; row++) {
      const hidden = Array.from({ length: 5 }, (_, j) => {
        let gate = 0;
        let up = 0;
        for (let i = 0; i < 4; i++) {
          gate += xs.data[row * 4 + i]! * gateUp[i * 10 + j]!;
          up += xs.data[row * 4 + i]! * gateUp[i * 10 + 5 + j]!;
        }
        return geluTanh(gate) * up;
      });
      for (let o = 0; o < 4; o++) {
        const expected = hidden.reduce((sum, h, j) => sum + h * down[j * 4 + o]!, 0);
        worst = Math.max(worst, Math.abs(data[row * 4 + o]! - expected));
      }
    }
    expect(worst).toBeLessThan(1e-12);
    expect(() => mlp(x, { kind: 'swiglu', hidden: 5, approximate: 'tanh' }, 'mlp')).toThrow(
      /mlp "mlp": approximate 'tanh' is for the gelu and geglu kinds/,
    );
  });
});
