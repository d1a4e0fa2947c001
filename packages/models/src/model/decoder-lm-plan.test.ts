import { kernelTitle, labelOf, runPipeline } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import { compileModel } from './compile-model.js';
import { buildDecoderLmGraph } from './decoder-lm-graph.js';

/** Kernels of the fused plan of a spec's graph, by template. */
function planTemplates(spec: typeof TINY_LLAMA, mode: 'step' | 'forward'): string[] {
  const config = parseModelSpec(spec).config;
  const { graph } = buildDecoderLmGraph(config, { mode });
  return runPipeline(graph, { fuse: true, alignment: 256 }).plan.kernels.map((kernel) => kernel.template);
}

describe('kernel plans of decoder LMs', () => {
  it('a Llama-style decode step: six kernels per block, one for the final norm and LM head', () => {
    // Per block: QKV (RMSNorm prologue, RoPE epilogue), both cache updates, attention, out-projection
    // (writes the residual sum), gate/up (RMSNorm prologue), down (silu · up prologue, residual).
    const block = ['matmul', 'elementwise', 'attention', 'matmul', 'matmul', 'matmul'];
    const templates = planTemplates(TINY_LLAMA, 'step');
    const layers = parseModelSpec(TINY_LLAMA).config.layers;
    expect(templates).toEqual([...Array.from({ length: layers }, () => block).flat(), 'matmul']);
  });

  it('a GPT-style forward pass: five kernels per block, whatever the depth', () => {
    // Per block: QKV (LayerNorm prologue; the first also adds the positions), attention,
    // out-projection (writes the residual sum), up (LayerNorm prologue, GELU), down (residual).
    const block = ['matmul', 'attention', 'matmul', 'matmul', 'matmul'];
    const templates = planTemplates(TINY_GPT, 'forward');
    const layers = parseModelSpec(TINY_GPT).config.layers;
    expect(templates).toEqual([...Array.from({ length: layers }, () => block).flat(), 'row', 'matmul']);
  });

  it("kernels and stats rows carry the blocks' names", async () => {
    const config = parseModelSpec(TINY_LLAMA).config;
    const { graph } = buildDecoderLmGraph(config, { mode: 'step' });
    const { plan } = runPipeline(graph);
    const block = (layer: number) => [
      `layers.${layer}.attn.qkv · matmul`,
      `layers.${layer}.attn.cache.key · elementwise`,
      `layers.${layer}.attn · attention (and(causal(bottom-right), cacheWindow(past)), softmax)`,
      `layers.${layer}.attn.out · matmul`,
      `layers.${layer}.mlp.gateUp · matmul`,
      `layers.${layer}.mlp.down · matmul`,
    ];
    const titles = [...Array.from({ length: config.layers }, (_, layer) => block(layer)).flat()];
    expect(plan.kernels.map((kernel) => kernelTitle(kernel))).toEqual([
      ...titles,
      'lmHead · matmul (transposeB)',
    ]);
    // The attention node carries its block's name through the passes.
    const attention = plan.kernels.find((kernel) => kernel.template === 'attention')!.anchor;
    expect(labelOf(attention)).toBe('layers.0.attn');

    const model = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 1 });
    const rows = model.decoder.stats.perKernel;
    expect(rows.map((row) => row.label)).toEqual([...titles, 'lmHead · matmul (transposeB)']);
    expect(rows.find((row) => row.template === 'attention')).toMatchObject({
      block: 'layers.0.attn',
      label: expect.stringContaining('layers.0.attn · attention'),
    });
    model.destroy();
  });
});
