import { interpret } from '@weft/ir';
import { randomIndices } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { normwiseError } from '../testing/decoder-device-check.js';
import { MEGA_CHUNKED_DECODER, megaChunkedForwardFloat64 } from '../testing/mega-chunked-decoder.js';
import { MEGA_HYBRID_DECODER } from '../testing/mega-hybrid-decoder.js';
import { megaHybridForwardFloat64 } from '../testing/mega-hybrid-decoder-forward.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { buildDecoderGraph, type DecoderLmDefinition } from './decoder-graph.js';

// Mega blocks as decoder layers, in float64 (the interpreter): the forward logits against loops
// written from the paper, and a prefill then token-by-token decode with the EMA's h and the head's
// KV cache carried as state against the forward pass over each prefix. Fresh seeded parameters
// and tokens; both are float64 computations of one function, so they agree to rounding.
const F64_BUDGET = 1e-10;
const { vocabSize } = MEGA_HYBRID_DECODER;
const TOKENS = Array.from(randomIndices([12], vocabSize, 4099).data);
const PROMPT = 4;

describe('a hybrid decoder of Mega blocks and softmax attention, float64', () => {
  const forward = buildDecoderGraph(MEGA_HYBRID_DECODER, { mode: 'forward' });
  const step = buildDecoderGraph(MEGA_HYBRID_DECODER, { mode: 'step' });
  const params = randomGraphParams(forward.graph, 31);
  const data = Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, tensor.data]));
  const logitsOf = (tokens: readonly number[]) =>
    interpret(forward.graph, {
      inputs: { tokens: Int32Array.from(tokens) },
      params,
      dims: { seq: tokens.length },
    }).logits!.data;

  it('keeps the EMA state and the head keys and values of Mega layers, a KV cache for softmax', () => {
    expect(step.state).toEqual({
      'layers.0.mega.cache.ema': 'layers.0.mega.cache.ema.next',
      'layers.0.mega.cache.key': 'layers.0.mega.cache.key.next',
      'layers.0.mega.cache.value': 'layers.0.mega.cache.value.next',
      'layers.1.attn.cache.key': 'layers.1.attn.cache.key.next',
      'layers.1.attn.cache.value': 'layers.1.attn.cache.value.next',
      'layers.2.mega.cache.ema': 'layers.2.mega.cache.ema.next',
      'layers.2.mega.cache.key': 'layers.2.mega.cache.key.next',
      'layers.2.mega.cache.value': 'layers.2.mega.cache.value.next',
    });
    const outputs = step.graph.outputs;
    expect(outputs['layers.0.mega.cache.ema.next']!.shape).toEqual([1, 16, 4, 1]);
    expect(outputs['layers.0.mega.cache.key.next']!.shape).toEqual([1, 1, 16, 8]);
    expect(outputs['layers.0.mega.cache.value.next']!.shape).toEqual([1, 1, 16, 24]);
    expect(forward.graph.outputs.logits!.shape[2]).toBe(vocabSize);
  });

  it('forward logits equal loops written from the paper', () => {
    const error = normwiseError(logitsOf(TOKENS), megaHybridForwardFloat64(data, TOKENS));
    console.info(`Mega hybrid decoder, float64 forward vs loops: ${error.toExponential(2)}`);
    expect(error).toBeLessThan(F64_BUDGET);
  });

  it('prefill then token-by-token decode equals the forward pass over each prefix', () => {
    const errors = decodeVersusForward(MEGA_HYBRID_DECODER, params, TOKENS, PROMPT);
    console.info(
      `Mega hybrid decoder, float64 step vs recompute: ${errors.map((e) => e.toExponential(1)).join(' ')}`,
    );
    expect(errors).toHaveLength(TOKENS.length - PROMPT + 1);
    for (const error of errors) expect(error).toBeLessThan(F64_BUDGET);
  });
});

/** Per step, the normwise error of a float64 cached step's logits against the forward over the prefix. */
function decodeVersusForward(
  definition: DecoderLmDefinition,
  params: ReturnType<typeof randomGraphParams>,
  tokens: readonly number[],
  prompt: number,
): number[] {
  const forward = buildDecoderGraph(definition, { mode: 'forward' });
  const step = buildDecoderGraph(definition, { mode: 'step' });
  const vocab = definition.vocabSize;
  // Zeroed states: an empty prefix (the EMA's h, and caches whose slots the mask hides).
  let state: Record<string, Float64Array> = Object.fromEntries(
    Object.entries(step.state).map(([name, next]) => [
      name,
      new Float64Array(step.graph.outputs[next]!.shape.reduce<number>((a, b) => a * (b as number), 1)),
    ]),
  );
  const errors: number[] = [];
  for (let length = prompt; length <= tokens.length; length++) {
    const fresh = length === prompt ? tokens.slice(0, prompt) : [tokens[length - 1]!];
    const results = interpret(step.graph, {
      inputs: { tokens: Int32Array.from(fresh), past: Int32Array.of(length - fresh.length), ...state },
      params,
      dims: { seq: fresh.length },
    });
    state = Object.fromEntries(
      Object.keys(step.state).map((name) => [name, results[`${name}.next`]!.data as Float64Array]),
    );
    const prefix = tokens.slice(0, length);
    const full = interpret(forward.graph, {
      inputs: { tokens: Int32Array.from(prefix) },
      params,
      dims: { seq: length },
    }).logits!.data.subarray((length - 1) * vocab, length * vocab);
    errors.push(normwiseError(results.logits!.data, full));
  }
  return errors;
}

describe("Mega layers with fairseq's chunked attention (Mega-chunk), float64", () => {
  const forward = buildDecoderGraph(MEGA_CHUNKED_DECODER, { mode: 'forward' });
  const params = randomGraphParams(forward.graph, 43);
  const data = Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, tensor.data]));
  const tokens = Array.from(randomIndices([11], 40, 4111).data);

  it('forward logits equal loops written from the paper (keys of the query chunk only)', () => {
    expect(params['layers.0.mega.relPosBias']!.shape).toEqual([7]);
    const logits = interpret(forward.graph, {
      inputs: { tokens: Int32Array.from(tokens) },
      params,
      dims: { seq: tokens.length },
    }).logits!.data;
    const error = normwiseError(logits, megaChunkedForwardFloat64(data, tokens));
    console.info(`Mega-chunk decoder, float64 forward vs loops: ${error.toExponential(2)}`);
    expect(error).toBeLessThan(F64_BUDGET);
  });

  it('prefill (across a chunk boundary) then single steps equal the forward pass over each prefix', () => {
    const errors = decodeVersusForward(MEGA_CHUNKED_DECODER, params, tokens, 5);
    console.info(
      `Mega-chunk decoder, float64 step vs recompute: ${errors.map((e) => e.toExponential(1)).join(' ')}`,
    );
    for (const error of errors) expect(error).toBeLessThan(F64_BUDGET);
  });
});
