import { WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import {
  LLAMA_STATE_DICT_RULES,
  mapStateDictNames,
  renameStateDict,
  type StateDictRule,
} from './state-dict-names.js';

function llamaNames(layers: number): string[] {
  const names = ['model.embed_tokens.weight', 'model.norm.weight', 'lm_head.weight'];
  for (let layer = 0; layer < layers; layer++) {
    const prefix = `model.layers.${layer}`;
    names.push(`${prefix}.input_layernorm.weight`, `${prefix}.post_attention_layernorm.weight`);
    for (const p of ['q', 'k', 'v', 'o']) names.push(`${prefix}.self_attn.${p}_proj.weight`);
    for (const p of ['gate', 'up', 'down']) names.push(`${prefix}.mlp.${p}_proj.weight`);
  }
  return names;
}

describe('mapStateDictNames', () => {
  it('maps every name of a Llama-style state dict to a distinct Weft name', () => {
    const names = llamaNames(12);
    const { mapped, unknown } = mapStateDictNames(names);
    expect(unknown).toEqual([]);
    expect(mapped.size).toBe(names.length);
    expect(new Set([...mapped.values()].map((m) => m.target)).size).toBe(names.length);
    expect(mapped.get('model.layers.0.self_attn.q_proj.weight')).toEqual({
      target: 'layers.0.attn.wq',
      transpose: true,
    });
    expect(mapped.get('model.layers.11.mlp.gate_proj.weight')).toEqual({
      target: 'layers.11.mlp.wGate',
      transpose: true,
    });
    expect(mapped.get('model.layers.10.mlp.down_proj.weight')?.target).toBe('layers.10.mlp.wDown');
    expect(mapped.get('model.layers.3.input_layernorm.weight')).toEqual({
      target: 'layers.3.attnNorm.gamma',
      transpose: false,
    });
    expect(mapped.get('model.layers.3.post_attention_layernorm.weight')?.target).toBe(
      'layers.3.mlpNorm.gamma',
    );
    expect(mapped.get('model.embed_tokens.weight')?.target).toBe('embedding.tokens');
    expect(mapped.get('model.norm.weight')?.target).toBe('finalNorm.gamma');
    expect(mapped.get('lm_head.weight')?.target).toBe('head.weight');
  });

  it('reports unknown names instead of dropping them, including near misses', () => {
    const names = [
      'model.layers.0.self_attn.q_proj.weight',
      'model.layers.0.self_attn.rotary_emb.inv_freq',
      'model.layers.01.self_attn.q_proj.weight',
      'model.layers.x.self_attn.q_proj.weight',
      'model.layers.0.self_attn.q_proj.weightx',
    ];
    const { mapped, unknown } = mapStateDictNames(names);
    expect([...mapped.keys()]).toEqual(['model.layers.0.self_attn.q_proj.weight']);
    expect(unknown).toEqual(names.slice(1));
  });

  it('accepts user rules that extend the table', () => {
    const rules: StateDictRule[] = [
      ...LLAMA_STATE_DICT_RULES,
      {
        source: 'model.layers.{layer}.self_attn.rotary_emb.inv_freq',
        target: 'layers.{layer}.attn.invFreq',
        transpose: false,
      },
      { source: 'experts.{expert}.layer{layer}.w', target: 'layers.{layer}.moe.{expert}.w', transpose: true },
    ];
    const { mapped, unknown } = mapStateDictNames(
      ['model.layers.2.self_attn.rotary_emb.inv_freq', 'experts.7.layer3.w'],
      rules,
    );
    expect(unknown).toEqual([]);
    expect(mapped.get('model.layers.2.self_attn.rotary_emb.inv_freq')?.target).toBe('layers.2.attn.invFreq');
    expect(mapped.get('experts.7.layer3.w')).toEqual({ target: 'layers.3.moe.7.w', transpose: true });
  });

  it('rejects rules whose target uses an undefined placeholder, and two names mapping to one', () => {
    expect(() => mapStateDictNames(['a'], [{ source: 'a', target: 'x.{layer}', transpose: false }])).toThrow(
      /\{layer\}, which its source does not define/,
    );
    const rules: StateDictRule[] = [{ source: '{a}.w', target: 'w', transpose: false }];
    expect(() => mapStateDictNames(['0.w', '1.w'], rules)).toThrow(
      /"0.w" and "1.w" both map to the same Weft name/,
    );
  });
});

describe('renameStateDict', () => {
  it('renames tensors and keeps the transpose flag', () => {
    const tensors = new Map([
      ['lm_head.weight', 1],
      ['model.layers.0.self_attn.v_proj.weight', 2],
    ]);
    expect(renameStateDict(tensors)).toEqual(
      new Map([
        ['head.weight', { tensor: 1, transpose: false }],
        ['layers.0.attn.wv', { tensor: 2, transpose: true }],
      ]),
    );
  });

  it('throws one SpecError listing every unknown name', () => {
    const tensors = new Map([
      ['lm_head.weight', 1],
      ['vision.patch.weight', 2],
      ['vision.pos', 3],
    ]);
    try {
      renameStateDict(tensors);
      expect.unreachable();
    } catch (error) {
      expect(WeftError.isInstance(error) && error.code).toBe('spec');
      expect((error as Error).message).toContain('2 name(s) match no rule: vision.patch.weight, vision.pos');
    }
  });
});
