import { applyAttention, attention, causal } from '@weft/attention';
import { attention as attentionKernels } from '@weft/attention/kernels';
import {
  applyLinearAttention,
  elu1,
  identity,
  type LinearAttentionSpec,
  lightningLinearDecay,
  linearAttention,
  linearAttentionStateInputs,
} from '@weft/attention/linear';
import { linearAttentionExtension } from '@weft/attention/linear-kernels';
import { decomposeExtensionOps, type Graph, input, makeGraph, symbolicDim } from '@weft/ir';
import { compile, type Program, type WeftDevice } from '@weft/runtime';
import type { InterleavedRun } from '@weft/zoo/runner';

/** B = 1, H = 4, d_k = d_v = 64: the shape. */
const HEADS = 4;
const HEAD_DIM = 64;

/** One timed program: a forward at one length, or one decode step at one past. */
export interface LinearBenchContender extends InterleavedRun {
  /** Short label, e.g. `linear elu+1 chunked N=2048`. */
  readonly label: string;
  /** Compute dispatches of one run. */
  readonly dispatches: number;
  /** Frees the program. */
  destroy(): void;
}

/** A ratio the issue targets: median of `slower` over median of `faster`, at least `target`. */
export interface LinearBenchRatio {
  /** What is compared. */
  readonly label: string;
  /** Label of the contender expected slower (the numerator). */
  readonly slower: string;
  /** Label of the contender expected faster (the denominator). */
  readonly faster: string;
  /** The target, e.g. `≥ 4×` or `≤ 1.25×` (for a decode step: long over short). */
  readonly target: string;
}

/** Options of {@link linearBenchContenders}. */
export interface LinearBenchOptions {
  /** Sequence lengths of the forward comparison (default 512 and 2048; 8192 with `--long`). */
  readonly lengths: readonly number[];
  /** Pasts of the decode step (default 128 and 8192). */
  readonly pasts: readonly [number, number];
  /** Length of the chunked-vs-quadratic comparison (default 2048). */
  readonly quadraticLength: number;
}

const elu1Spec = () => linearAttention({ heads: HEADS, headDim: HEAD_DIM, featureMap: elu1(), causal: true });
// Lightning Attention's per-head decay (slopes of layer 0 of 2), no denominator.
const lightningSpec = () =>
  linearAttention({
    heads: HEADS,
    headDim: HEAD_DIM,
    featureMap: identity(),
    causal: true,
    denominator: false,
    decay: lightningLinearDecay(HEADS, 0, 2),
  });

const qkv = (n: number) => {
  const shape = [1, HEADS, n, HEAD_DIM];
  return { query: input('q', shape), key: input('k', shape), value: input('v', shape) };
};

function randomInputs(n: number): Record<string, Float32Array> {
  let seed = 12345 + n;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31) * 2 - 1;
  };
  const tensor = () => Float32Array.from({ length: HEADS * n * HEAD_DIM }, () => 0.5 * random());
  return { q: tensor(), k: tensor(), v: tensor() };
}

/** Compiles `graph` with the attention and linear-attention extensions into a timed contender. */
export async function linearBenchContender(
  weft: WeftDevice,
  label: string,
  graph: Graph,
  inputs: Record<string, Float32Array>,
  options: { state?: Record<string, string>; dims?: Record<string, number> } = {},
): Promise<LinearBenchContender & { program: Program }> {
  const program = await compile(graph, {
    device: weft,
    extensions: [attentionKernels, linearAttentionExtension],
    ...(options.state === undefined ? {} : { state: options.state }),
  });
  return {
    label,
    program,
    dispatches: program.stats.dispatchesPerRun,
    async run() {
      const { output } = await program.run(inputs, {
        outputs: ['output'],
        ...(options.dims === undefined ? {} : { dims: options.dims }),
      });
      return output;
    },
    destroy: () => program.destroy(),
  };
}

/** The forward contenders at length `n`: softmax flash (causal), ELU+1 chunked, Lightning chunked. */
async function forwardContenders(weft: WeftDevice, n: number): Promise<LinearBenchContender[]> {
  const inputs = randomInputs(n);
  const softmax = attention({ heads: HEADS, headDim: HEAD_DIM, mask: causal(), name: 'softmax' });
  return [
    await linearBenchContender(
      weft,
      `softmax flash N=${n}`,
      makeGraph({ output: applyAttention(softmax, qkv(n)).output }),
      inputs,
    ),
    await linearBenchContender(weft, `elu+1 chunked N=${n}`, linearGraph(elu1Spec(), n), inputs),
    await linearBenchContender(weft, `lightning chunked N=${n}`, linearGraph(lightningSpec(), n), inputs),
  ];
}

function linearGraph(spec: LinearAttentionSpec, n: number): Graph {
  return makeGraph({ output: applyLinearAttention(spec, qkv(n)).output });
}

/**
 * One decode step of `spec` after a prefill of `past` positions: the program takes a symbolic
 * number of positions, runs the prefill once (filling the state S, z on the device), then each
 * timed run is one position (which advances the state; one more past position changes nothing).
 */
async function decodeContender(
  weft: WeftDevice,
  label: string,
  spec: LinearAttentionSpec,
  past: number,
  maxPast: number,
): Promise<LinearBenchContender> {
  const seq = symbolicDim('seq', { max: maxPast });
  const shape = [1, HEADS, seq, HEAD_DIM];
  const state = linearAttentionStateInputs(spec, 1, 'layer');
  const step = applyLinearAttention(spec, {
    query: input('q', shape),
    key: input('k', shape),
    value: input('v', shape),
    state,
  });
  const outputs = {
    output: step.output,
    'layer.state.next': step.state!.values,
    ...(step.state!.keys === undefined ? {} : { 'layer.keyState.next': step.state!.keys }),
  };
  const pairs = Object.fromEntries(
    Object.keys(outputs)
      .filter((name) => name !== 'output')
      .map((next) => [next.replace(/\.next$/, ''), next]),
  );
  const made = await linearBenchContender(weft, label, makeGraph(outputs), randomInputs(1), {
    state: pairs,
    dims: { seq: 1 },
  });
  await made.program.run(randomInputs(past), { dims: { seq: past }, outputs: ['output'] });
  return made;
}

/**
 * The contenders and the ratios the issue targets: per length the softmax flash kernel, ELU+1
 * with denominator and Lightning's decay (chunked sweep); ELU+1 through its O(N²) decomposition
 * (primitive ops) at `quadraticLength`; one ELU+1 decode step after each past.
 */
export async function linearBenchContenders(
  weft: WeftDevice,
  options: LinearBenchOptions,
): Promise<{ contenders: LinearBenchContender[]; ratios: LinearBenchRatio[] }> {
  const contenders: LinearBenchContender[] = [];
  const ratios: LinearBenchRatio[] = [];
  for (const n of options.lengths) {
    contenders.push(...(await forwardContenders(weft, n)));
    for (const mechanism of ['elu+1', 'lightning'])
      ratios.push({
        label: `softmax flash / ${mechanism} chunked, N=${n}`,
        slower: `softmax flash N=${n}`,
        faster: `${mechanism} chunked N=${n}`,
        target: n === 8192 ? '≥ 4×' : '(info)',
      });
  }
  const m = options.quadraticLength;
  const quadratic = decomposeExtensionOps(linearGraph(elu1Spec(), m));
  contenders.push(await linearBenchContender(weft, `elu+1 quadratic N=${m}`, quadratic, randomInputs(m)));
  if (!options.lengths.includes(m))
    contenders.push(
      await linearBenchContender(weft, `elu+1 chunked N=${m}`, linearGraph(elu1Spec(), m), randomInputs(m)),
    );
  ratios.push({
    label: `quadratic / chunked (elu+1), N=${m}`,
    slower: `elu+1 quadratic N=${m}`,
    faster: `elu+1 chunked N=${m}`,
    target: '≥ 3×',
  });
  const [short, long] = options.pasts;
  for (const past of [short, long])
    contenders.push(await decodeContender(weft, `elu+1 decode past=${past}`, elu1Spec(), past, long));
  ratios.push({
    label: `decode past=${long} / past=${short}`,
    slower: `elu+1 decode past=${long}`,
    faster: `elu+1 decode past=${short}`,
    target: '≤ 1.25×',
  });
  return { contenders, ratios };
}
