import { attention, causal } from '@weft/attention';
import { input, symbolicDim } from '@weft/ir';
import type { CompileOptions, Program } from '@weft/runtime';
import { natsCacheAttention } from '../blocks/nats-cache-attention.js';
import { natsCacheLayout } from '../blocks/nats-kv-cache.js';
import { createSeededRandom } from '../weights/seeded-random.js';
import { compileCacheBlock } from './cache-block-program.js';
import { NatsCacheSimulation, type NatsSimulatedResult, type NatsStepRows } from './nats-cache-simulation.js';

/** Shape of the tested attention layer and its cache. */
export const NATS_BLOCK = {
  heads: 4,
  kvHeads: 2,
  headDim: 8,
  capacity: 24,
  window: 2,
  stepTokens: 3,
} as const;
const NAME = 'attn';

/** The NAtS cache of one attention layer as a stateful program (inputs query, key, value, typeLogits, past). */
export async function compileNatsCacheBlock(device: CompileOptions['device']): Promise<Program> {
  const { heads, kvHeads, headDim, capacity, window, stepTokens } = NATS_BLOCK;
  const seq = symbolicDim('seq', { max: stepTokens });
  const spec = attention({ heads, kvHeads, headDim, mask: causal(), name: NAME });
  const built = natsCacheAttention(
    spec,
    {
      query: input('query', [1, heads, seq, headDim]),
      key: input('key', [1, kvHeads, seq, headDim]),
      value: input('value', [1, kvHeads, seq, headDim]),
      typeLogits: input('typeLogits', [1, kvHeads, seq, 3]),
      tensors: {},
    },
    { past: input('past', [1], 'i32'), nats: natsCacheLayout(capacity, window, stepTokens) },
    NAME,
  );
  return compileCacheBlock(device, built.output, built.states);
}

/** One compared step: the program's output and live positions next to the simulation's. */
export interface NatsComparedStep {
  readonly length: number;
  readonly output: Float32Array | Float64Array;
  readonly kept: number[][];
  readonly simulated: NatsSimulatedResult;
}

/**
 * Runs `lengths` (the sequence length after each step) on the program and the float64 simulation
 * with the same fresh random rows (seeded, never zero); `typeBias` is added to every token's
 * (Global, Local, SlidingWindow) logits (a large Global bias makes every token Global).
 */
export async function runNatsCacheSteps(
  program: Program,
  lengths: readonly number[],
  seed: number,
  typeBias: readonly [number, number, number],
): Promise<NatsComparedStep[]> {
  const { heads, kvHeads, headDim, capacity, window } = NATS_BLOCK;
  const random = createSeededRandom(seed);
  const row = (width: number) =>
    Float64Array.from({ length: width }, () => 2 * random.nextUniform() - 1 || 0.5);
  const simulation = new NatsCacheSimulation(heads, kvHeads, window);
  const rounded = (parts: readonly (readonly Float64Array[])[]) =>
    parts.map((rowsOfHead) => rowsOfHead.map((values) => Float64Array.from(Float32Array.from(values))));
  const flat = (parts: readonly (readonly Float64Array[])[]) =>
    Float32Array.from(parts.flatMap((rowsOfHead) => rowsOfHead.flatMap((values) => Array.from(values))));
  const steps: NatsComparedStep[] = [];
  let past = 0;
  for (const length of lengths) {
    const seq = length - past;
    const rows: NatsStepRows = {
      query: Array.from({ length: heads }, () => Array.from({ length: seq }, () => row(headDim))),
      key: Array.from({ length: kvHeads }, () => Array.from({ length: seq }, () => row(headDim))),
      value: Array.from({ length: kvHeads }, () => Array.from({ length: seq }, () => row(headDim))),
      typeLogits: Array.from({ length: kvHeads }, () =>
        Array.from({ length: seq }, () => row(3).map((logit, c) => logit + typeBias[c]!)),
      ),
    };
    const result = await program.run(
      {
        query: flat(rows.query),
        key: flat(rows.key),
        value: flat(rows.value),
        typeLogits: flat(rows.typeLogits),
        past: Int32Array.of(past),
      },
      { dims: { seq }, outputs: ['output', `${NAME}.cache.positions.next`], poisonOutputs: true },
    );
    // The device computes from the f32 rows: the simulation takes the same rounded values.
    const simulated = simulation.step({
      query: rounded(rows.query),
      key: rounded(rows.key),
      value: rounded(rows.value),
      typeLogits: rounded(rows.typeLogits),
    });
    const tags = result[`${NAME}.cache.positions.next`]!.data;
    const kept = Array.from({ length: kvHeads }, (_, g) =>
      Array.from({ length: capacity }, (_, s) => Number(tags[g * capacity + s]) - 1).filter(
        (position) => position >= 0,
      ),
    );
    steps.push({ length, output: result.output!.data as Float32Array, kept, simulated });
    past = length;
  }
  return steps;
}
