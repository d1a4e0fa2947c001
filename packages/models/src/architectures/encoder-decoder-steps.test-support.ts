/**
 * The encoder–decoder's decoding step with the self-attention KV cache against onnxruntime-node:
 * Weft's `encode` and `step` programs (the cache held as program state) and an ONNX graph of
 * standard operators that takes the cache as `past_key.N` / `past_value.N` and returns it appended
 * (`present_*`, fed back at the next step), on the same seeded f32 weights and target tokens. The
 * float64 yardstick of each step is the teacher-forcing forward graph over the whole prefix
 * (float64 reference interpreter), its last position; `e_f32` the same graph evaluated in f32.
 */
import { attention } from '@weft/attention/kernels';
import { type Graph, graphNodes, interpret, tensor64 } from '@weft/ir';
import { randomIndices, relativeError } from '@weft/ir/test';
import { type CompileOptions, compile } from '@weft/runtime';
import * as ort from 'onnxruntime-node';
import { plainAttention } from '../testing/onnx/definition-parts.js';
import { encoderDecoderOnnx } from '../testing/onnx/encoder-decoder-onnx.js';
import { TINY_ENCODER_DECODER } from '../testing/tiny-architectures.js';
import { buildEncoderDecoderGraph } from './encoder-decoder.js';
import { F32_FLOOR, f32Params, indexInput, runOnnx } from './onnx-comparison.test-support.js';

/** Two sequences of 10 source tokens; a 4-token prefill, then one token per step to 7. */
const [BATCH, SOURCE_SEQ, PREFILL, TARGET_SEQ] = [2, 10, 4, 7];

/** One decoding step compared (the last position's logits of both sequences, `[2, V]`). */
export interface StepComparison {
  /** Target positions already in the cache. */
  readonly past: number;
  /** Target tokens of this step (the prefill's, then one). */
  readonly fresh: number;
  readonly weftVersusOnnx: number;
  readonly weftVersusExact: number;
  readonly onnxVersusExact: number;
  /** `max(e_f32, F32_FLOOR)` of the teacher-forcing graph at this position. */
  readonly f32Error: number;
}

/** What {@link compareEncoderDecoderSteps} measured. */
export interface EncoderDecoderSteps {
  readonly steps: readonly StepComparison[];
  /** Kernels of Weft's step program (0 on the CPU backend: it interprets the graph). */
  readonly stepKernels: number;
}

/**
 * Runs the prefill and three decoding steps of TINY_ENCODER_DECODER for a batch of two sequences
 * on `device` and on onnxruntime, and compares each step's logits.
 */
export async function compareEncoderDecoderSteps(
  device: CompileOptions['device'],
  seed: number,
): Promise<EncoderDecoderSteps> {
  const definition = TINY_ENCODER_DECODER;
  const vocab = definition.targetVocabSize;
  const { heads, headDim } = plainAttention(definition.encoderBlock.attention, 'encoder-decoder');
  const forward = buildEncoderDecoderGraph(definition, { mode: 'forward', batch: BATCH });
  const encode = buildEncoderDecoderGraph(definition, { mode: 'encode', batch: BATCH });
  const step = buildEncoderDecoderGraph(definition, { mode: 'step', batch: BATCH });
  const params = f32Params(forward.graph, seed);
  const own = (graph: Graph) => {
    const names = new Set(graphNodes(graph).flatMap((n) => (n.op === 'param' ? [String(n.attrs.name)] : [])));
    return Object.fromEntries(Object.entries(params).filter(([name]) => names.has(name)));
  };
  const sources = [0, 1].map((b) =>
    Array.from(randomIndices([SOURCE_SEQ], definition.sourceVocabSize, seed + 1 + b).data),
  );
  const targets = [0, 1].map((b) => Array.from(randomIndices([TARGET_SEQ], vocab, seed + 3 + b).data));
  const lengths = [PREFILL, ...Array.from({ length: TARGET_SEQ - PREFILL }, (_, i) => PREFILL + i + 1)];

  // Weft: the memory of both sequences, then both decoded as a batch by the cached step program.
  const common = { device, extensions: [attention] };
  const encodeProgram = await compile(encode.graph, { ...common, params: own(encode.graph) });
  const stepProgram = await compile(step.graph, { ...common, params: own(step.graph), state: step.state });
  const weftLogits = lengths.map(() => new Float32Array(BATCH * vocab));
  try {
    const memory = (
      await encodeProgram.run(
        { source: Int32Array.from(sources.flat()) },
        { dims: { sourceSeq: SOURCE_SEQ }, poisonOutputs: true },
      )
    ).memory!.data;
    stepProgram.resetState();
    let past = 0;
    for (const [index, length] of lengths.entries()) {
      const { logits } = await stepProgram.run(
        {
          memory: Float32Array.from(memory),
          target: Int32Array.from(targets.flatMap((row) => row.slice(past, length))),
          past: Int32Array.of(past, past),
        },
        { dims: { sourceSeq: SOURCE_SEQ, seq: length - past }, outputs: ['logits'], poisonOutputs: true },
      );
      weftLogits[index]!.set(logits!.data);
      past = length;
    }
  } finally {
    encodeProgram.destroy();
  }
  const stepKernels = stepProgram.kernels.length;
  stepProgram.destroy();

  // onnxruntime: both sequences as a batch, the cache fed back from each step's present_* outputs.
  const source = indexInput([BATCH, SOURCE_SEQ], sources.flat());
  let cache: Record<string, ort.Tensor> = {};
  let past = 0;
  const steps: StepComparison[] = [];
  for (const [index, length] of lengths.entries()) {
    const fresh = length - past;
    const model = encoderDecoderOnnx(definition, params, {
      batch: BATCH,
      sourceSeq: SOURCE_SEQ,
      targetSeq: fresh,
      past,
    });
    const target = indexInput(
      [BATCH, fresh],
      targets.flatMap((row) => row.slice(past, length)),
    );
    const outputs = await runOnnx(model, { source: source.onnx, target: target.onnx, ...cache });
    const onnxLogits = lastPositions(outputs.logits!, fresh, vocab);
    cache = {};
    for (let layer = 0; layer < definition.decoderLayers; layer++)
      for (const kind of ['key', 'value'])
        cache[`past_${kind}.${layer}`] = new ort.Tensor('float32', outputs[`present_${kind}.${layer}`]!, [
          BATCH,
          heads,
          length,
          headDim,
        ]);

    // The float64 and f32 teacher-forcing forwards over the prefix, at its last position.
    const evaluate = (precision: 'f64' | 'f32') => {
      const result = interpret(forward.graph, {
        inputs: {
          source: tensor64([BATCH, SOURCE_SEQ], sources.flat(), 'i32'),
          target: tensor64(
            [BATCH, length],
            targets.flatMap((row) => row.slice(0, length)),
            'i32',
          ),
        },
        params: Object.fromEntries(
          Object.entries(params).map(([name, data]) => [name, Float64Array.from(data)]),
        ),
        dims: { sourceSeq: SOURCE_SEQ, seq: length },
        precision,
      });
      return lastPositions(result.logits!.data, length, vocab);
    };
    const exact = evaluate('f64');
    const weft = weftLogits[index]!;
    steps.push({
      past,
      fresh,
      weftVersusOnnx: relativeError(weft, onnxLogits),
      weftVersusExact: relativeError(weft, exact),
      onnxVersusExact: relativeError(onnxLogits, exact),
      f32Error: Math.max(relativeError(evaluate('f32'), exact), F32_FLOOR),
    });
    past = length;
  }
  return { steps, stepKernels };
}

/** The last position's logits of each sequence of `[BATCH, length, vocab]`, as `[BATCH, vocab]`. */
function lastPositions(data: ArrayLike<number>, length: number, vocab: number): Float64Array {
  const out = new Float64Array(BATCH * vocab);
  for (let b = 0; b < BATCH; b++)
    for (let v = 0; v < vocab; v++) out[b * vocab + v] = data[(b * length + length - 1) * vocab + v]!;
  return out;
}

/** One line of the test log. */
export function describeStep(backend: string, step: StepComparison, kernels?: number): string {
  return (
    `encoder-decoder KV-cache step (past ${step.past}, ${step.fresh} new): Weft ${backend} vs onnxruntime ${step.weftVersusOnnx.toExponential(2)}` +
    ` (Weft vs float64 ${step.weftVersusExact.toExponential(2)}, onnxruntime vs float64 ${step.onnxVersusExact.toExponential(2)},` +
    ` f32 CPU ${step.f32Error.toExponential(2)})${kernels === undefined ? '' : `, ${kernels} kernels per step`}`
  );
}
