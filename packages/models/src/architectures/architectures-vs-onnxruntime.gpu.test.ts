import { attention } from '@weft/attention/kernels';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { ONNX_CASES } from './onnx-cases.test-support.js';
import {
  compareOutputs,
  describeComparison,
  programFeeds,
  runOnnx,
  yardsticks,
} from './onnx-comparison.test-support.js';

// The five architectures (tiny definitions) compiled for the WebGPU device against onnxruntime-node
// running the same model as an ONNX graph of standard operators (src/testing/onnx/), on the same
// seeded random weights and inputs; outputs are poisoned before the run.
// f32 budget: each f32 result — the device's and onnxruntime's — within 2 × max(e_f32, 1.2e-7) of
// float64 (the rule of docs/guides/error-budget.md), e_f32 the normwise relative error of the same
// Weft graph evaluated in f32 on the CPU; so the device within 4 × max(e_f32, 1.2e-7) of onnxruntime.
// SwiftShader compiles and runs 11–41 kernels per case: up to a minute, more on a loaded machine.
const LOADED_MACHINE_TIMEOUT_MS = 300_000;
const rows: string[] = [];
afterAll(() => console.info(`architectures vs onnxruntime-node, Weft on the device:\n${rows.join('\n')}`));

describe('architectures against onnxruntime-node on the device', () => {
  for (const { label, build } of ONNX_CASES) {
    it(label, { timeout: LOADED_MACHINE_TIMEOUT_MS }, async () => {
      const started = performance.now();
      const { graph, params, inputs, onnx } = build();
      const reference = yardsticks(graph, params, inputs);
      const expected = await runOnnx(onnx, inputs.onnx);
      const program = await compile(graph, {
        device: await getTestDevice(),
        params,
        extensions: [attention],
      });
      try {
        const result = await program.run(programFeeds(inputs), {
          dims: inputs.dims ?? {},
          poisonOutputs: true,
        });
        const weft = Object.fromEntries(Object.entries(result).map(([name, t]) => [name, t.data]));
        const ms = performance.now() - started;
        for (const row of compareOutputs(weft, expected, reference)) {
          rows.push(`${describeComparison(label, 'device', row, ms)}, ${program.kernels.length} kernels`);
          const budget = 2 * row.f32Error;
          expect(row.weftVersusExact, `${row.output}: device vs float64`).toBeLessThanOrEqual(budget);
          expect(row.onnxVersusExact, `${row.output}: onnxruntime vs float64`).toBeLessThanOrEqual(budget);
          expect(row.weftVersusOnnx, `${row.output}: device vs onnxruntime`).toBeLessThanOrEqual(2 * budget);
        }
      } finally {
        program.destroy();
      }
    });
  }
});
