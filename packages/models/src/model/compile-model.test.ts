import { SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { modelSpecToJSON, parseModelSpec, parseModelSpecJSON } from '../spec/model-spec-json.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import { readSafetensors, type TensorToWrite, writeSafetensors } from '../weights/safetensors.js';
import { compileModel } from './compile-model.js';
import { buildDecoderLmGraph } from './decoder-lm-graph.js';
import { graphParameters } from './model-parameters.js';

const TOKENS = [5, 17, 2, 40, 11, 9, 33, 1];

describe('compileModel on the CPU reference backend', () => {
  for (const [label, spec] of [
    ['Llama-style', TINY_LLAMA],
    ['GPT-style', TINY_GPT],
  ] as const) {
    it(`${label}: decode with the KV cache equals a full recompute at every step`, async () => {
      const model = await compileModel(spec, { device: 'cpu', seed: 4 });
      expect(model.backend).toBe('cpu');
      const errors = await decodeVersusRecompute(model, TOKENS, 3);
      // float64 on both paths, rounded to f32 at the end: at most a rounding apart.
      for (const error of errors) expect(error).toBeLessThan(1e-6);
      model.destroy();
    });
  }

  it('a spec survives JSON and compiles to the same logits', async () => {
    const spec = parseModelSpec(TINY_LLAMA);
    const reparsed = parseModelSpecJSON(modelSpecToJSON(spec));
    expect(reparsed).toEqual(spec);
    const [first, second] = await Promise.all(
      [spec, reparsed].map((value) => compileModel(value, { device: 'cpu', seed: 8 })),
    );
    const a = await first!.run(TOKENS);
    const b = await second!.run(TOKENS);
    expect(b.shape).toEqual([1, TOKENS.length, 48]);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('loads Llama-style safetensors (split, transposed projections) into the same model', async () => {
    const reference = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 6 });
    const bytes = writeSafetensors(llamaStateDict(reference.parameters));
    const loaded = await compileModel(TINY_LLAMA, { device: 'cpu', weights: readSafetensors(bytes) });
    for (const [name, values] of Object.entries(reference.parameters))
      expect(Array.from(loaded.parameters[name]!), name).toEqual(Array.from(values));
    const a = await reference.run(TOKENS);
    const b = await loaded.run(TOKENS);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('rejects weights with a missing parameter or an unknown name, naming them', async () => {
    const { parameters } = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 6 });
    const { 'layers.1.mlp.wDown': _dropped, ...missing } = parameters;
    await expect(compileModel(TINY_LLAMA, { device: 'cpu', weights: missing })).rejects.toThrow(
      /parameter "layers\.1\.mlp\.wDown" is missing/,
    );
    await expect(
      compileModel(TINY_LLAMA, {
        device: 'cpu',
        weights: { ...parameters, 'model.mystery.weight': new Float32Array(4) },
      }),
    ).rejects.toThrow(SpecError);
  });

  it('stops generation at a stop token, at maxTokens and when the callback says so', async () => {
    const model = await compileModel(TINY_GPT, { device: 'cpu', seed: 2 });
    const free = await model.generate([1, 2, 3], { maxTokens: 5 });
    expect(free.tokens).toHaveLength(5);
    expect(free.stopReason).toBe('maxTokens');
    const stopToken = free.tokens[1]!;
    const stopped = await model.generate([1, 2, 3], { maxTokens: 5, stop: [stopToken] });
    expect(stopped.tokens).toEqual(free.tokens.slice(0, free.tokens.indexOf(stopToken) + 1));
    expect(stopped.stopReason).toBe('stopToken');
    const streamed: number[] = [];
    const early = await model.generate([1, 2, 3], {
      maxTokens: 5,
      onToken: (token) => {
        streamed.push(token);
        return streamed.length < 3;
      },
    });
    expect(streamed).toEqual(free.tokens.slice(0, 3));
    expect(early.stopReason).toBe('callback');
    const full = await model.generate([1, 2, 3], { maxTokens: 100 });
    expect(full.stopReason).toBe('maxSeq');
    expect(full.tokens).toHaveLength(16 - 3 + 1);
  });
});

/** The Weft parameters as a Hugging Face Llama state dict: `[out, in]` Linear weights, q/k/v and gate/up split. */
function llamaStateDict(parameters: Readonly<Record<string, Float32Array>>): Map<string, TensorToWrite> {
  const { config } = parseModelSpec(TINY_LLAMA);
  const shapes = new Map(
    graphParameters(buildDecoderLmGraph(config, { mode: 'forward' }).graph).map((p) => [p.name, p.shape]),
  );
  const result = new Map<string, TensorToWrite>();
  const linear = (data: Float32Array, rows: number, columns: number[], targets: string[]) => {
    const total = columns.reduce((sum, width) => sum + width, 0);
    let start = 0;
    columns.forEach((width, part) => {
      const out = new Float32Array(width * rows);
      for (let row = 0; row < rows; row++)
        for (let column = 0; column < width; column++)
          out[column * rows + row] = data[row * total + start + column]!;
      result.set(targets[part]!, { dtype: 'F32', shape: [width, rows], data: out });
      start += width;
    });
  };
  const d = config.dModel;
  const q = config.heads * config.headDim;
  const kv = config.kvHeads * config.headDim;
  result.set('model.embed_tokens.weight', {
    dtype: 'F32',
    shape: shapes.get('embedding.tokens')!,
    data: parameters['embedding.tokens']!,
  });
  result.set('lm_head.weight', {
    dtype: 'F32',
    shape: shapes.get('head.weight')!,
    data: parameters['head.weight']!,
  });
  result.set('model.norm.weight', { dtype: 'F32', shape: [d], data: parameters['finalNorm.gamma']! });
  for (let layer = 0; layer < config.layers; layer++) {
    const weft = `layers.${layer}`;
    const torch = `model.layers.${layer}`;
    result.set(`${torch}.input_layernorm.weight`, {
      dtype: 'F32',
      shape: [d],
      data: parameters[`${weft}.attnNorm.gamma`]!,
    });
    result.set(`${torch}.post_attention_layernorm.weight`, {
      dtype: 'F32',
      shape: [d],
      data: parameters[`${weft}.mlpNorm.gamma`]!,
    });
    linear(
      parameters[`${weft}.attn.wqkv`]!,
      d,
      [q, kv, kv],
      ['q', 'k', 'v'].map((p) => `${torch}.self_attn.${p}_proj.weight`),
    );
    linear(parameters[`${weft}.attn.wo`]!, q, [d], [`${torch}.self_attn.o_proj.weight`]);
    const hidden = config.mlp.hidden;
    linear(
      parameters[`${weft}.mlp.wGateUp`]!,
      d,
      [hidden, hidden],
      ['gate', 'up'].map((p) => `${torch}.mlp.${p}_proj.weight`),
    );
    linear(parameters[`${weft}.mlp.wDown`]!, hidden, [d], [`${torch}.mlp.down_proj.weight`]);
  }
  return result;
}
