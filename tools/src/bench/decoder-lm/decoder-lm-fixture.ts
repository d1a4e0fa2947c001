import {
  buildDecoderLmGraph,
  compileModel,
  type ModelSpec,
  type ModelSpecInput,
  parseModelSpec,
  randomParameters,
} from '@weft/models';
import { once } from '../bench-case.js';
import { randomValues } from '../random-values.js';

/** The model, weights, tokens and float64 reference logits every system of the LM cases shares. */
export interface DecoderLmFixture {
  /** The validated spec. */
  readonly spec: ModelSpec;
  /** Parameters by Weft name (`embedding.tokens`, `layers.{i}.attn.wqkv`, ...). */
  readonly parameters: Readonly<Record<string, Float32Array>>;
  /** The prompt the prefill case runs. */
  readonly prompt: readonly number[];
  /** The token the decode case feeds after the prompt. */
  readonly nextToken: number;
  /** Float64 logits of the prompt's last position (`referenceLogits(prompt)`), computed on first use. */
  readonly prefillReference: Float64Array;
  /** Float64 logits after `nextToken` (`referenceLogits([...prompt, nextToken])`), computed on first use. */
  readonly decodeReference: Float64Array;
}

/** Options of {@link decoderLmFixture}. */
export interface DecoderLmFixtureOptions {
  /** Prompt length. */
  readonly promptLength: number;
  /** Seed of weights and tokens. */
  readonly seed: number;
}

/**
 * Seeded weights (Weft's `randomParameters`, with the norm gains drawn from [0.5, 1.5) instead of
 * ones so that a gain applied to the wrong channel shows in the error), a seeded prompt and next
 * token, and Weft's float64 reference logits for both (`referenceLogits` of a model compiled for the
 * CPU reference interpreter).
 */
export async function decoderLmFixture(
  specInput: ModelSpec | ModelSpecInput,
  options: DecoderLmFixtureOptions,
): Promise<DecoderLmFixture> {
  const spec = parseModelSpec(specInput);
  const { config } = spec;
  const { promptLength, seed } = options;
  const parameters = randomParameters(buildDecoderLmGraph(config, { mode: 'forward' }).graph, seed);
  let gainSeed = seed * 1000;
  for (const name of Object.keys(parameters).sort()) {
    if (name.endsWith('.gamma'))
      parameters[name] = randomValues(parameters[name]!.length, ++gainSeed, 0.5, 1.5);
  }
  const tokens = Array.from(randomValues(promptLength + 1, seed + 7, 0, config.vocabSize), Math.floor);
  const prompt = tokens.slice(0, promptLength);
  const nextToken = tokens[promptLength]!;
  // The CPU model only interprets the graph when asked, so it needs no destroy.
  const reference = await compileModel(spec, { device: 'cpu', weights: parameters });
  const prefillReference = once(() => reference.referenceLogits(prompt));
  const decodeReference = once(() => reference.referenceLogits([...prompt, nextToken]));
  return {
    spec,
    parameters,
    prompt,
    nextToken,
    get prefillReference() {
      return prefillReference();
    },
    get decodeReference() {
      return decodeReference();
    },
  };
}
