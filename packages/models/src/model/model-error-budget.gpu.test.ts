import { attention } from '@weft/attention/kernels';
import { interpret, tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import { buildDecoderLmGraph } from './decoder-lm-graph.js';

// The f32 error budget (docs/guides/error-budget.md) for whole models: the logits' error on the
// device is at most 2× the error of the same graph evaluated in f32 on the CPU (floor 1.2e-7),
// both against float64 — forward pass over 16 tokens, parameters randomGraphParams(graph, 5).
const TOKENS = [5, 17, 2, 40, 11, 9, 33, 1, 46, 20, 3, 28, 14, 7, 39, 22];

describe('whole models within the f32 budget rule', () => {
  for (const [label, spec] of [
    ['tiny Llama (RoPE, GQA, RMSNorm, SwiGLU)', TINY_LLAMA],
    ['tiny GPT (learned positions, LayerNorm, GELU, tied head)', TINY_GPT],
  ] as const) {
    it(`${label}: logits error ≤ 2 × the f32 CPU evaluation`, async () => {
      const { graph } = buildDecoderLmGraph(parseModelSpec(spec).config, { mode: 'forward' });
      const params = randomGraphParams(graph, 5);
      const inputs = { tokens: tensor64([1, TOKENS.length], TOKENS, 'i32') };
      const dims = { seq: TOKENS.length };
      const exact = interpret(graph, { inputs, params, dims }).logits!.data;
      const single = interpret(graph, { inputs, params, dims, precision: 'f32' }).logits!.data;
      const program = await compile(graph, {
        device: await getTestDevice(),
        extensions: [attention],
        params: Object.fromEntries(
          Object.entries(params).map(([name, t]) => [name, Float32Array.from(t.data)]),
        ),
      });
      try {
        const actual = (await program.run({ tokens: Int32Array.from(TOKENS) }, { dims, poisonOutputs: true }))
          .logits!.data;
        const kernel = relativeError(actual, exact);
        const cpu = relativeError(single, exact);
        console.info(
          `${label}: ${program.kernels.length} kernels, kernel err ${kernel.toExponential(2)}, CPU f32 err ${cpu.toExponential(2)}, ratio ${(kernel / Math.max(cpu, 1.2e-7)).toFixed(2)}`,
        );
        expect(kernel).toBeLessThanOrEqual(2 * Math.max(cpu, 1.2e-7));
      } finally {
        program.destroy();
      }
    });
  }
});
