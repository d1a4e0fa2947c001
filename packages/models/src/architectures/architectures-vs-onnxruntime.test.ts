import { attention } from '@weft/attention/kernels';
import { compile } from '@weft/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { ONNX_CASES } from './onnx-cases.test-support.js';
import {
  compareOutputs,
  describeComparison,
  F32_FLOOR,
  programFeeds,
  runOnnx,
  yardsticks,
} from './onnx-comparison.test-support.js';

// The five architectures (tiny definitions) on Weft's CPU backend — the float64 reference
// interpreter, results rounded to f32 — against onnxruntime-node running the same model as an
// ONNX graph of standard operators (src/testing/onnx/), on the same seeded random weights and inputs.
// f32 budget: onnxruntime within 2 × max(e_f32, 1.2e-7) of float64, e_f32 the normwise relative
// error of the same Weft graph evaluated in f32 on the CPU; Weft's CPU output within that plus
// 1.2e-7 (its own rounding to f32) of onnxruntime's.
// Three CPU evaluations and onnxruntime per case: seconds, but far more on a loaded machine.
const LOADED_MACHINE_TIMEOUT_MS = 120_000;
const rows: string[] = [];
afterAll(() => console.info(`architectures vs onnxruntime-node, Weft CPU backend:\n${rows.join('\n')}`));

describe('architectures against onnxruntime-node on the CPU backend', () => {
  for (const { label, build } of ONNX_CASES) {
    it(label, { timeout: LOADED_MACHINE_TIMEOUT_MS }, async () => {
      const started = performance.now();
      const { graph, params, inputs, onnx } = build();
      const reference = yardsticks(graph, params, inputs);
      const expected = await runOnnx(onnx, inputs.onnx);
      const program = await compile(graph, { device: 'cpu', params, extensions: [attention] });
      const result = await program.run(programFeeds(inputs), { dims: inputs.dims ?? {} });
      const weft = Object.fromEntries(Object.entries(result).map(([name, t]) => [name, t.data]));
      const ms = performance.now() - started;
      for (const row of compareOutputs(weft, expected, reference)) {
        rows.push(describeComparison(label, 'CPU', row, ms));
        const budget = 2 * row.f32Error;
        expect(row.onnxVersusExact, `${row.output}: onnxruntime vs float64`).toBeLessThanOrEqual(budget);
        expect(row.weftVersusOnnx, `${row.output}: Weft CPU vs onnxruntime`).toBeLessThanOrEqual(
          budget + F32_FLOOR,
        );
      }
    });
  }
});
