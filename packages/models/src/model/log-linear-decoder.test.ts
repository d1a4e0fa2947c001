import { interpret, type Tensor64 } from '@weft/ir';
import { randomIndices } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { normwiseError } from '../testing/decoder-device-check.js';
import {
  LOG_LINEAR_HYBRID_DECODER,
  LOG_LINEAR_HYBRID_DECODER_SPEC,
} from '../testing/log-linear-hybrid-decoder.js';
import { logLinearHybridForwardFloat64 } from '../testing/log-linear-hybrid-decoder-forward.js';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { buildDecoderGraph } from './decoder-graph.js';
import { buildModelGraph } from './model-definition.js';

// The log-linear hybrid decoder (log-linear Mamba-2 layers around a softmax RoPE layer) in the
// float64 interpreter: the forward graph against the catalog's dense formula written out in loops
// (level masks and decays from the catalog, not from the op), and the cached step program (Fenwick
// level states carried between steps) against the forward pass of the same prefix.
const { vocabSize, maxSeq } = LOG_LINEAR_HYBRID_DECODER;
const TOKENS = Array.from(randomIndices([maxSeq], vocabSize, 4099).data);
const forward = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, { mode: 'forward' });
const step = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, { mode: 'step' });
const params = randomGraphParams(forward.graph, 21);

const forwardLogits = (tokens: readonly number[]) =>
  interpret(forward.graph, {
    inputs: { tokens: Int32Array.from(tokens) },
    params,
    dims: { seq: tokens.length },
  }).logits!.data;

/** Runs the step graph in float64 over `chunks` of tokens, carrying the state; the logits of each step. */
function stepLogits(chunks: readonly (readonly number[])[], program = step): Float64Array[] {
  const step = program;
  let state: Record<string, Tensor64 | Float64Array> = {};
  for (const [name, next] of Object.entries(step.state)) {
    const shape = step.graph.outputs[next]!.shape as number[];
    state[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  }
  const logits: Float64Array[] = [];
  let past = 0;
  for (const chunk of chunks) {
    const out = interpret(step.graph, {
      inputs: { tokens: Int32Array.from(chunk), past: Int32Array.of(past), ...state },
      params,
      dims: { seq: chunk.length },
    });
    logits.push(Float64Array.from(out.logits!.data));
    state = Object.fromEntries(Object.entries(step.state).map(([name, next]) => [name, out[next]!]));
    past += chunk.length;
  }
  return logits;
}

describe('log-linear attention layers in a decoder (float64)', () => {
  it('keeps Fenwick level states and a position for log-linear layers, a KV cache for softmax', () => {
    expect(Object.keys(step.state).sort()).toEqual([
      'layers.0.attn.cache.levels',
      'layers.0.attn.cache.position',
      'layers.1.attn.cache.key',
      'layers.1.attn.cache.value',
      'layers.2.attn.cache.levels',
      'layers.2.attn.cache.position',
    ]);
    // 16 positions: levels 0 … 4, of which 1 … 4 are states.
    expect(step.graph.outputs['layers.0.attn.cache.levels.next']!.shape).toEqual([1, 4, 4, 8, 8]);
    expect(forward.graph.outputs.logits!.shape.length).toBe(3);
  });

  it.each([16, 11, 1])('the forward graph equals the catalog formula of the whole model (%i tokens)', (n) => {
    const tokens = TOKENS.slice(0, n);
    const exact = logLinearHybridForwardFloat64(
      Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, tensor.data])),
      tokens,
    );
    const error = normwiseError(forwardLogits(tokens), exact);
    console.info(
      `log-linear hybrid, ${n} tokens: graph (float64) vs catalog loops ${error.toExponential(2)}`,
    );
    expect(error).toBeLessThanOrEqual(1e-10);
  });

  it('prefill then token-by-token decode with the level states equals one full forward', () => {
    const prompt = 5;
    const chunks = [TOKENS.slice(0, prompt), ...TOKENS.slice(prompt).map((token) => [token])];
    const full = forwardLogits(TOKENS);
    const errors = stepLogits(chunks).map((logits, index) => {
      const last = prompt + index - 1;
      return normwiseError(logits, full.subarray(last * vocabSize, (last + 1) * vocabSize));
    });
    console.info(`log-linear hybrid: step vs forward (float64), max ${Math.max(...errors).toExponential(2)}`);
    expect(errors).toHaveLength(maxSeq - prompt + 1);
    for (const error of errors) expect(error).toBeLessThanOrEqual(1e-10);
  });

  it('steps of several tokens after a prefix continue the state too (chunks 3, 4, 6, 1, 2)', () => {
    const sizes = [3, 4, 6, 1, 2];
    const chunks: number[][] = [];
    let start = 0;
    for (const size of sizes) {
      chunks.push(TOKENS.slice(start, start + size));
      start += size;
    }
    const full = forwardLogits(TOKENS);
    let end = 0;
    stepLogits(chunks).forEach((logits, index) => {
      end += sizes[index]!;
      const error = normwiseError(logits, full.subarray((end - 1) * vocabSize, end * vocabSize));
      expect(error).toBeLessThanOrEqual(1e-10);
    });
  });

  it('a program of one token per step (the op decode step) decodes as the forward pass', () => {
    // Right-aligned-equivalent softmax slots (capacity maxSeq, no window), one token per step.
    const layout = { capacity: maxSeq, sinks: 0, window: undefined };
    const single = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, {
      mode: 'step',
      cache: { layout, maxStepTokens: 1 },
    });
    const full = forwardLogits(TOKENS);
    const errors = stepLogits(
      TOKENS.map((token) => [token]),
      single,
    ).map((logits, index) =>
      normwiseError(logits, full.subarray(index * vocabSize, (index + 1) * vocabSize)),
    );
    console.info(
      `log-linear hybrid: one-token steps vs forward (float64), max ${Math.max(...errors).toExponential(2)}`,
    );
    for (const error of errors) expect(error).toBeLessThanOrEqual(1e-10);
  });

  it('the JSON spec builds the TS graphs', () => {
    const hashes = (graph: { outputs: Readonly<Record<string, { hash: string }>> }) =>
      Object.fromEntries(Object.entries(graph.outputs).map(([name, node]) => [name, node.hash]));
    const spec = parseModelSpec(LOG_LINEAR_HYBRID_DECODER_SPEC);
    for (const mode of ['forward', 'step'] as const)
      expect(hashes(buildModelGraph(spec, { mode }).graph)).toEqual(
        hashes(buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, { mode }).graph),
      );
  });
});
