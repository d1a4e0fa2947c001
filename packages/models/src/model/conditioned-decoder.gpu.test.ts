import { attention } from '@weft/attention/kernels';
import { interpret, tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { CONDITIONED_DECODER_SPEC } from '../testing/conditioned-decoder.js';
import {
  type ConditionedSample,
  conditionedDecoderForwardFloat64,
} from '../testing/conditioned-decoder-forward.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { buildModelGraph } from './model-definition.js';

// The JSON decoder conditioned as a DiT is (timestep + class label → adaLN on layers 0, 2 and the
// final norm; task LayerNorm on layer 1) on the device, two samples with the same tokens and
// different conditioning, against a float64 forward written in plain loops
// (conditionedDecoderForwardFloat64, not Weft's interpreter). Budget (docs/guides/error-budget.md):
// the device's relative error ≤ 2 × that of the same graph evaluated in f32 on the CPU (floor
// 1.2e-7), both against the loops, and below 5e-5 outright (the f32 angle t·f of timestep 731 is
// rounded by up to ~3e-5 before its cos and sin, on the CPU as on the device: ~8e-6 measured).
const SAMPLES: readonly ConditionedSample[] = [
  { tokens: [5, 17, 2, 40, 11, 9, 33, 1, 46, 20], timestep: 731, classLabel: 4, taskId: 0 },
  { tokens: [5, 17, 2, 40, 11, 9, 33, 1, 46, 20], timestep: 3.25, classLabel: 9, taskId: 2 },
];

describe('a decoder-lm spec with conditional norm layers on the device', () => {
  it('forward logits of each sample within the f32 budget of a float64 loop forward', async () => {
    const { graph } = buildModelGraph(parseModelSpec(CONDITIONED_DECODER_SPEC), {
      mode: 'forward',
      batch: 2,
    });
    // Fresh uniform ±0.5 parameters (modulations, gains and biases included), rounded to f32.
    const random = randomGraphParams(graph, 41);
    const weights = Object.fromEntries(
      Object.entries(random).map(([name, t]) => [name, Float32Array.from(t.data)]),
    );
    const params = Object.fromEntries(
      Object.entries(random).map(([name, t]) => [name, tensor64(t.shape, Array.from(weights[name]!))]),
    );
    const seq = SAMPLES[0]!.tokens.length;
    const inputs = {
      tokens: SAMPLES.flatMap((sample) => sample.tokens),
      timestep: SAMPLES.map((sample) => sample.timestep),
      classLabels: SAMPLES.map((sample) => sample.classLabel),
      taskIds: SAMPLES.map((sample) => sample.taskId),
    };
    const loops = Float64Array.from(
      SAMPLES.flatMap((sample) => Array.from(conditionedDecoderForwardFloat64(weights, sample))),
    );
    const single = interpret(graph, {
      inputs: {
        tokens: tensor64([2, seq], inputs.tokens, 'i32'),
        timestep: tensor64([2], inputs.timestep),
        classLabels: tensor64([2], inputs.classLabels, 'i32'),
        taskIds: tensor64([2], inputs.taskIds, 'i32'),
      },
      params,
      dims: { seq },
      precision: 'f32',
    }).logits!.data;
    const program = await compile(graph, {
      device: await getTestDevice(),
      extensions: [attention],
      params: weights,
    });
    try {
      const actual = (
        await program.run(
          {
            tokens: Int32Array.from(inputs.tokens),
            timestep: Float32Array.from(inputs.timestep),
            classLabels: Int32Array.from(inputs.classLabels),
            taskIds: Int32Array.from(inputs.taskIds),
          },
          { dims: { seq }, poisonOutputs: true },
        )
      ).logits!.data;
      const kernel = relativeError(actual, loops);
      const cpu = relativeError(single, loops);
      console.info(
        `conditioned decoder: ${program.kernels.length} kernels, device err ${kernel.toExponential(2)}, CPU f32 err ${cpu.toExponential(2)} (vs float64 loops)`,
      );
      expect(kernel).toBeLessThanOrEqual(2 * Math.max(cpu, 1.2e-7));
      expect(kernel).toBeLessThan(5e-5);
    } finally {
      program.destroy();
    }
  });
});
