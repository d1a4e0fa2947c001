import { attention } from '@weft/attention/kernels';
import type { Graph } from '@weft/ir';
import type { OnnxModelSpec } from '@weft/ir/test';
import { randomIndices } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDecoderLmGraph } from '../model/decoder-lm-graph.js';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { decoderLmOnnx } from '../testing/onnx/decoder-lm-onnx.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import {
  type ComparisonInputs,
  compareOutputs,
  describeComparison,
  f32Params,
  indexInput,
  programFeeds,
  runOnnx,
  yardsticks,
} from './onnx-comparison.test-support.js';

// Each architecture's tiny definition on Weft's CPU backend (the float64 reference interpreter,
// results rounded to f32) against onnxruntime-node running the same model as an ONNX graph of
// standard operators (src/testing/onnx/), on the same seeded random weights and inputs.
// Budget (f32): onnxruntime within 2 × max(e_f32, 1.2e-7) of float64, e_f32 the error of the
// same Weft graph evaluated in f32 on the CPU; Weft's CPU output within that plus 1.2e-7
// (its own rounding to f32) of onnxruntime's.
const rows: string[] = [];
afterAll(() => console.info(`architectures vs onnxruntime-node (CPU backend):\n${rows.join('\n')}`));

async function checkOnCpu(
  label: string,
  graph: Graph,
  params: Record<string, Float32Array>,
  inputs: ComparisonInputs,
  onnx: OnnxModelSpec,
): Promise<void> {
  const started = performance.now();
  const reference = yardsticks(graph, params, inputs);
  const expected = await runOnnx(onnx, inputs.onnx);
  const program = await compile(graph, { device: 'cpu', params, extensions: [attention] });
  const result = await program.run(programFeeds(inputs), { dims: inputs.dims ?? {} });
  const weft = Object.fromEntries(Object.entries(result).map(([name, t]) => [name, t.data]));
  const ms = performance.now() - started;
  for (const row of compareOutputs(weft, expected, reference)) {
    rows.push(describeComparison(label, 'CPU', row, ms));
    const budget = 2 * row.f32Error;
    expect(row.onnxVersusExact, `${label} ${row.output}: onnxruntime vs float64`).toBeLessThanOrEqual(budget);
    expect(row.weftVersusOnnx, `${label} ${row.output}: Weft CPU vs onnxruntime`).toBeLessThanOrEqual(
      budget + 1.2e-7,
    );
  }
}

describe('architectures against onnxruntime-node on the CPU backend', () => {
  for (const [label, spec, seed] of [
    ['decoder LM (tiny Llama: RoPE, GQA, RMSNorm, SwiGLU)', TINY_LLAMA, 41],
    ['decoder LM (tiny GPT: learned positions, LayerNorm, GELU, tied head)', TINY_GPT, 42],
  ] as const) {
    it(label, async () => {
      const config = parseModelSpec(spec).config;
      const { graph } = buildDecoderLmGraph(config, { mode: 'forward' });
      const params = f32Params(graph, seed);
      const seq = 16;
      const tokens = indexInput([1, seq], Array.from(randomIndices([seq], config.vocabSize, seed).data));
      await checkOnCpu(
        label,
        graph,
        params,
        { weft: { tokens: tokens.weft }, dims: { seq }, onnx: { tokens: tokens.onnx } },
        decoderLmOnnx(config, params, seq),
      );
    });
  }
});
