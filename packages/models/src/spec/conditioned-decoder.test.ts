import { attention, rope } from '@weft/attention';
import { interpret, tensor64, WeftError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { layerNormLayer } from '../blocks/norm-layers.js';
import { compileModel } from '../model/compile-model.js';
import { buildDecoderGraph } from '../model/decoder-graph.js';
import { estimateSpecMemory } from '../model/memory-estimate.js';
import { buildModelGraph } from '../model/model-definition.js';
import { graphParameters } from '../model/model-parameters.js';
import { CONDITIONED_DECODER, CONDITIONED_DECODER_SPEC } from '../testing/conditioned-decoder.js';
import {
  type ConditionedSample,
  conditionedDecoderForwardFloat64,
} from '../testing/conditioned-decoder-forward.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { TINY_ENCODER_DECODER_SPEC } from '../testing/tiny-architecture-specs.js';
import { parseArchitectureSpec } from './kinds/architecture-spec.js';
import { modelSpecToJSON, parseModelSpec, parseModelSpecJSON } from './model-spec-json.js';

const hashes = (graph: { outputs: Readonly<Record<string, { hash: string }>> }) =>
  Object.fromEntries(Object.entries(graph.outputs).map(([name, node]) => [name, node.hash]));

const errorOf = (build: () => unknown): string => {
  try {
    build();
  } catch (error) {
    expect(WeftError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a WeftError');
};

const withConfig = (config: Record<string, unknown>) =>
  ({ ...CONDITIONED_DECODER_SPEC, config: { ...CONDITIONED_DECODER_SPEC.config, ...config } }) as never;

/** Two samples with the same tokens and different conditioning. */
const SAMPLES: readonly ConditionedSample[] = [
  { tokens: [3, 17, 5, 40, 22, 9, 1], timestep: 500, classLabel: 7, taskId: 2 },
  { tokens: [3, 17, 5, 40, 22, 9, 1], timestep: 12.5, classLabel: 0, taskId: 1 },
];

/** The conditioned decoder's inputs for `samples`. */
function conditionedInputs(samples: readonly ConditionedSample[]) {
  const seq = samples[0]!.tokens.length;
  return {
    tokens: tensor64(
      [samples.length, seq],
      samples.flatMap((sample) => sample.tokens),
      'i32',
    ),
    timestep: tensor64(
      [samples.length],
      samples.map((sample) => sample.timestep),
    ),
    classLabels: tensor64(
      [samples.length],
      samples.map((sample) => sample.classLabel),
      'i32',
    ),
    taskIds: tensor64(
      [samples.length],
      samples.map((sample) => sample.taskId),
      'i32',
    ),
  };
}

describe('decoder-lm with conditioning inputs and conditional norm layers', () => {
  const spec = parseModelSpec(CONDITIONED_DECODER_SPEC);

  it('the JSON form builds the graph of the TS form, in both modes', () => {
    for (const options of [{ mode: 'forward', batch: 2 }, { mode: 'step' }] as const) {
      expect(hashes(buildModelGraph(spec, options).graph)).toEqual(
        hashes(buildDecoderGraph(CONDITIONED_DECODER, options).graph),
      );
    }
  });

  it('round-trips through modelSpecToJSON', () => {
    const text = modelSpecToJSON(spec);
    expect(parseModelSpecJSON(text)).toEqual(spec);
    expect(modelSpecToJSON(parseModelSpecJSON(text))).toBe(text);
  });

  it('the reference interpreter agrees with a float64 forward in plain loops, per sample', () => {
    const { graph } = buildModelGraph(spec, { mode: 'forward', batch: 2 });
    const params = randomGraphParams(graph, 31);
    const seq = SAMPLES[0]!.tokens.length;
    const logits = interpret(graph, { inputs: conditionedInputs(SAMPLES), params, dims: { seq } }).logits!
      .data;
    const named = Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.data]));
    const loops = SAMPLES.map((sample) => conditionedDecoderForwardFloat64(named, sample));
    const rows = 48 * seq;
    loops.forEach((expected, b) => {
      expect(relativeError(logits.slice(b * rows, (b + 1) * rows), expected)).toBeLessThan(1e-12);
    });
    // Same tokens, different conditioning: the conditions reach the logits.
    expect(relativeError(loops[0]!, loops[1]!)).toBeGreaterThan(1e-3);
  });

  it('the estimate counts the conditioning parameters (an upper bound of the graph’s)', () => {
    const { graph } = buildModelGraph(spec, { mode: 'forward' });
    const elements = graphParameters(graph).reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
    expect(estimateSpecMemory(spec).parameterBytes).toBeGreaterThanOrEqual(elements * 4);
  });

  it('takes DiT’s adaLN-Zero residual, gated by the conditioning vector, as the TS form does', () => {
    const adaLnZero = parseModelSpec(
      withConfig({
        norm: { layer: { kind: 'layernorm', affine: false, eps: 1e-6 } },
        residual: { kind: 'adaLnZero' },
        finalNorm: { kind: 'adaLn' },
        conditioning: { timestep: { frequencies: 16 } },
        overrides: undefined,
      }),
    );
    const definition = {
      ...CONDITIONED_DECODER,
      block: {
        attention: attention({ heads: 4, headDim: 8, positions: rope() }),
        mlp: { kind: 'swiglu', hidden: 48 },
        norm: { layer: layerNormLayer({ affine: false, eps: 1e-6 }), placement: 'pre' },
        residual: { kind: 'adaLnZero' },
      },
      conditioning: { timestep: { frequencies: 16 } },
    } as const;
    for (const options of [{ mode: 'forward', batch: 2 }, { mode: 'step' }] as const)
      expect(hashes(buildModelGraph(adaLnZero, options).graph)).toEqual(
        hashes(buildDecoderGraph(definition, options).graph),
      );
    const { graph } = buildModelGraph(adaLnZero, { mode: 'forward' });
    const names = graphParameters(graph).map((parameter) => parameter.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'layers.2.attnResidual.modulation.weight',
        'layers.0.mlpResidual.modulation.bias',
      ]),
    );
    expect(
      errorOf(() =>
        parseModelSpec(
          withConfig({
            overrides: [{ layers: [2], residual: { kind: 'adaLnZero' } }],
            conditioning: { taskIds: { tasks: 3 } },
            norm: { layer: { kind: 'rmsnorm' } },
          }),
        ),
      ),
    ).toContain('layer 2: config.overrides[0].residual: adaLnZero reads the conditioning vector');
  });

  it('names the norm slot whose conditioning input is not declared', () => {
    expect(errorOf(() => parseModelSpec(withConfig({ conditioning: { taskIds: { tasks: 3 } } })))).toContain(
      'config.norm.layer: adaLn reads the conditioning vector: declare config.conditioning.timestep or config.conditioning.classLabels',
    );
    expect(
      errorOf(() => parseModelSpec(withConfig({ conditioning: { classLabels: { classes: 10 } } }))),
    ).toContain(
      'layer 1: config.overrides[0].norm.layer: taskLayerNorm reads task ids: declare config.conditioning.taskIds',
    );
    expect(
      errorOf(() =>
        parseModelSpec(
          withConfig({
            norm: { layer: { kind: 'rmsnorm' } },
            finalNorm: { kind: 'adaLn' },
            conditioning: undefined,
            overrides: undefined,
          }),
        ),
      ),
    ).toContain('config.finalNorm: adaLn reads the conditioning vector');
  });

  it('reports a misspelt conditional kind and a bad timestep with their JSON paths', () => {
    expect(errorOf(() => parseModelSpec(withConfig({ norm: { layer: { kind: 'adaln' } } })))).toContain(
      'config.norm.layer.kind: expected a norm layer kind: rmsnorm, simplermsnorm, layernorm, scalenorm, l2norm, fixnorm, hypersphere, adaLn, taskLayerNorm; got "adaln" (did you mean "adaLn"?)',
    );
    expect(
      errorOf(() => parseModelSpec(withConfig({ conditioning: { timestep: { frequencies: 15 } } }))),
    ).toContain('config.conditioning.timestep.frequencies: expected an even positive integer');
  });

  it('other kinds keep the unconditioned norm vocabulary', () => {
    const { encoder } = TINY_ENCODER_DECODER_SPEC.config;
    expect(
      errorOf(() =>
        parseArchitectureSpec({
          ...TINY_ENCODER_DECODER_SPEC,
          config: {
            ...TINY_ENCODER_DECODER_SPEC.config,
            encoder: { ...encoder, norm: { layer: { kind: 'adaLn' } } },
          },
        }),
      ),
    ).toContain('config.encoder.norm');
  });

  it('compileModel refuses it: generation feeds tokens only', async () => {
    await expect(compileModel(spec, { device: 'cpu' })).rejects.toThrow(
      /config\.conditioning declares inputs \(timestep, classLabels, taskIds\) that generation does not feed/,
    );
  });
});
