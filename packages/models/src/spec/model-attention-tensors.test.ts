import { interpret, tensor64, WeftError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { buildArchitectureGraph } from '../model/architecture-graph.js';
import { buildDecoderGraph } from '../model/decoder-graph.js';
import { buildModelGraph } from '../model/model-definition.js';
import { graphParameters, randomParameters } from '../model/model-parameters.js';
import { SINK_DECODER, SINK_DECODER_SPEC } from '../testing/sink-decoder.js';
import { sinkDecoderForwardFloat64 } from '../testing/sink-decoder-forward.js';
import {
  TINY_DIT_SPEC,
  TINY_ENCODER_DECODER_SPEC,
  TINY_ENCODER_SPEC,
} from '../testing/tiny-architecture-specs.js';
import { parametersFromWeights } from '../weights/model-weights.js';
import { readSafetensors, writeSafetensors } from '../weights/safetensors.js';
import { parseArchitectureSpec } from './kinds/architecture-spec.js';
import { parseModelSpec } from './model-spec-json.js';

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

const sinkSpec = (attention: Record<string, unknown>, overrides?: unknown[]) =>
  parseModelSpec({
    ...SINK_DECODER_SPEC,
    config: {
      ...SINK_DECODER_SPEC.config,
      attention: { ...SINK_DECODER_SPEC.config.attention, ...attention },
      ...(overrides === undefined ? {} : { overrides }),
    },
  } as never);

describe('tensor references of a model spec become per-layer parameters', () => {
  const spec = parseModelSpec(SINK_DECODER_SPEC);

  it('the JSON form builds the graph of the TS form (a param bound to each layer’s sink)', () => {
    for (const mode of ['forward', 'step'] as const) {
      expect(hashes(buildModelGraph(spec, { mode }).graph)).toEqual(
        hashes(buildDecoderGraph(SINK_DECODER, { mode }).graph),
      );
    }
  });

  it('lists every sink in the parameter inventory with its declared shape and seeds it', () => {
    const { graph } = buildModelGraph(spec, { mode: 'forward' });
    const sinks = graphParameters(graph).filter((parameter) => parameter.name.endsWith('.sink'));
    expect(sinks.map(({ name, shape }) => ({ name, shape }))).toEqual([
      { name: 'layers.0.attn.sink', shape: [4] },
      { name: 'layers.1.attn.sink', shape: [4] },
      { name: 'layers.2.attn.sink', shape: [1] },
    ]);
    const first = randomParameters(graph, 5);
    expect(randomParameters(graph, 5)['layers.1.attn.sink']).toEqual(first['layers.1.attn.sink']);
    expect(first['layers.0.attn.sink']).not.toEqual(first['layers.1.attn.sink']);
    expect(first['layers.0.attn.sink']!.some((value) => value !== 0)).toBe(true);
  });

  it('the reference interpreter agrees with a float64 forward written in plain loops', () => {
    const { graph } = buildModelGraph(spec, { mode: 'forward' });
    const params = randomParameters(graph, 11);
    // Sinks of both signs and sizes that matter next to the scores.
    params['layers.0.attn.sink'] = Float32Array.from([1.5, -2, 0.25, 3]);
    const tokens = [3, 17, 5, 40, 22, 9, 1, 33];
    const exact = interpret(graph, {
      inputs: { tokens: tensor64([1, tokens.length], tokens, 'i32') },
      params: Object.fromEntries(
        Object.entries(params).map(([name, data]) => [
          name,
          tensor64(graphParameters(graph).find((p) => p.name === name)!.shape, Array.from(data)),
        ]),
      ),
      dims: { seq: tokens.length },
    }).logits!.data;
    const loops = sinkDecoderForwardFloat64(params, tokens);
    expect(relativeError(exact, loops)).toBeLessThan(1e-12);
    // Without the sinks the logits differ: the test can fail.
    const noSink = sinkDecoderForwardFloat64(
      { ...params, 'layers.0.attn.sink': [-1e9, -1e9, -1e9, -1e9] },
      tokens,
    );
    expect(relativeError(noSink, loops)).toBeGreaterThan(1e-4);
  });

  it('loads the sinks from a safetensors checkpoint and names a missing or misshapen one', () => {
    const expected = graphParameters(buildModelGraph(spec, { mode: 'forward' }).graph);
    const values = randomParameters(buildModelGraph(spec, { mode: 'forward' }).graph, 3);
    const tensors = (skip: string, reshape?: [string, number[]]) =>
      readSafetensors(
        writeSafetensors(
          Object.fromEntries(
            expected
              .filter(({ name }) => name !== skip)
              .map(({ name, shape }) => [
                name,
                {
                  dtype: 'F32' as const,
                  shape: reshape?.[0] === name ? reshape[1] : shape,
                  data:
                    reshape?.[0] === name
                      ? new Float32Array(reshape[1].reduce((a, b) => a * b, 1))
                      : values[name]!,
                },
              ]),
          ),
        ),
      );
    const loaded = parametersFromWeights(tensors(''), expected);
    expect(Array.from(loaded['layers.2.attn.sink']!)).toEqual(Array.from(values['layers.2.attn.sink']!));
    expect(errorOf(() => parametersFromWeights(tensors('layers.1.attn.sink'), expected))).toContain(
      'layers.1.attn.sink',
    );
    const misshapen = errorOf(() =>
      parametersFromWeights(tensors('', ['layers.2.attn.sink', [4]]), expected),
    );
    expect(misshapen).toContain('layers.2.attn.sink');
  });

  it('refuses a per-sample tensor (a padding length) naming the layer, the JSON key and the block', () => {
    const message = errorOf(() =>
      sinkSpec({}, [
        {
          layers: [1],
          attention: {
            mask: { kind: 'keyPadding', lengths: { tensor: 'lengths', shape: [1], dtype: 'i32' } },
          },
        },
      ]),
    );
    expect(message).toContain('layer 1: config.overrides[0].attention.mask.lengths: tensor "lengths"');
    expect(message).toContain('attention "layers.1.attn" holds one value per sample');
  });

  it('refuses a per-sample f32 tensor of a score mod and a mask given as a tensor', () => {
    const shape = [1, 4, 16];
    expect(
      errorOf(() =>
        sinkSpec({
          score: {
            kind: 'gaussianKernelScore',
            queryNormSquared: { tensor: 'qn', shape },
            keyNormSquared: { tensor: 'kn', shape },
          },
        }),
      ),
    ).toMatch(/layer 0: config\.attention\.score\.queryNormSquared: tensor "qn" .* per sample/);
    expect(
      errorOf(() =>
        sinkSpec({
          mask: { kind: 'maskFrom', tensor: { tensor: 'm', shape: [1, 4, 16, 16], dtype: 'bool' } },
        }),
      ),
    ).toMatch(/config\.attention\.mask\.tensor: tensor "m" of attention "layers\.0\.attn"/);
  });

  it('refuses one name declared with two shapes in one attention', () => {
    expect(
      errorOf(() => sinkSpec({ score: { kind: 'scale', value: { tensor: 'sink', shape: [1] } } })),
    ).toContain(
      'tensor "sink" of attention "layers.0.attn" is declared [4] here and [1] at config.attention.score.value',
    );
  });

  it('learned ALiBi slopes and a scale are parameters too', () => {
    const withSlopes = sinkSpec({
      positions: { kind: 'alibi', slopes: { tensor: 'slopes', shape: [4] } },
      score: { kind: 'scale', value: { tensor: 'temperature', shape: [4] } },
    });
    const names = graphParameters(buildModelGraph(withSlopes, { mode: 'step' }).graph).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['layers.1.attn.slopes', 'layers.1.attn.temperature']));
  });

  it('the architecture kinds name them after each stack: layers, encoder.layers, decoder.layers', () => {
    const sink = { kind: 'softmax', sink: { tensor: 'sink', shape: [4] } };
    const names = (document: unknown) =>
      graphParameters(buildArchitectureGraph(parseArchitectureSpec(document))).map((p) => p.name);
    const encoder = {
      ...TINY_ENCODER_SPEC,
      config: {
        ...TINY_ENCODER_SPEC.config,
        attention: { ...TINY_ENCODER_SPEC.config.attention, normalizer: sink },
      },
    };
    expect(names(encoder)).toEqual(expect.arrayContaining(['layers.0.attn.sink', 'layers.1.attn.sink']));
    const dit = {
      ...TINY_DIT_SPEC,
      config: {
        ...TINY_DIT_SPEC.config,
        overrides: [{ layers: [1], attention: { normalizer: sink } }],
      },
    };
    expect(names(dit).filter((name) => name.endsWith('.sink'))).toEqual(['layers.1.attn.sink']);
    const { encoder: encoderStack } = TINY_ENCODER_DECODER_SPEC.config;
    const encoderDecoder = {
      ...TINY_ENCODER_DECODER_SPEC,
      config: {
        ...TINY_ENCODER_DECODER_SPEC.config,
        encoder: { ...encoderStack, attention: { ...encoderStack.attention, normalizer: sink } },
      },
    };
    expect(names(encoderDecoder).filter((name) => name.endsWith('.sink'))).toEqual([
      'decoder.layers.0.attn.sink',
      'decoder.layers.1.attn.sink',
      'encoder.layers.0.attn.sink',
      'encoder.layers.1.attn.sink',
    ]);
  });
});
