import { attention, causal } from '@weft/attention';
import { input, symbolicDim } from '@weft/ir';
import type { CompileOptions, Program } from '@weft/runtime';
import { heavyHitterCacheAttention } from '../blocks/heavy-hitter-cache-attention.js';
import { heavyHitterLayout } from '../blocks/heavy-hitter-kv-cache.js';
import { createSeededRandom } from '../weights/seeded-random.js';
import { compileCacheBlock } from './cache-block-program.js';
import {
  HeavyHitterSimulation,
  type SimulatedResult,
  type SimulatedStep,
} from './heavy-hitter-simulation.js';

/** Shape of the tested attention layer and its cache. */
export const BLOCK = { heads: 4, kvHeads: 2, headDim: 8, heavy: 4, recent: 3, stepTokens: 3 } as const;
const NAME = 'attn';

/** The heavy-hitter cache of one attention layer as a stateful program (inputs q, k, v, past). */
export async function compileHeavyHitterBlock(device: CompileOptions['device']): Promise<Program> {
  const { heads, kvHeads, headDim, heavy, recent, stepTokens } = BLOCK;
  const seq = symbolicDim('seq', { max: stepTokens });
  const spec = attention({ heads, kvHeads, headDim, mask: causal(), name: NAME });
  const built = heavyHitterCacheAttention(
    spec,
    {
      query: input('query', [1, heads, seq, headDim]),
      key: input('key', [1, kvHeads, seq, headDim]),
      value: input('value', [1, kvHeads, seq, headDim]),
      tensors: {},
    },
    { past: input('past', [1], 'i32'), heavyHitter: heavyHitterLayout(heavy, recent, stepTokens) },
    NAME,
  );
  return compileCacheBlock(device, built.output, built.states);
}

/** One compared step: the program's output, kept positions and scores next to the simulation's. */
export interface ComparedStep {
  readonly length: number;
  readonly output: Float32Array | Float64Array;
  readonly kept: number[][];
  readonly scores: number[][];
  readonly simulated: SimulatedResult;
}

/**
 * Runs `lengths` (the sequence length after each step) on the program and the float64 simulation
 * with the same fresh random rows (seeded, never zero), reading back the cache state after each step.
 */
export async function runHeavyHitterSteps(
  program: Program,
  lengths: readonly number[],
  seed: number,
): Promise<ComparedStep[]> {
  const { heads, kvHeads, headDim, heavy, recent } = BLOCK;
  const random = createSeededRandom(seed);
  const row = () => Float64Array.from({ length: headDim }, () => 2 * random.nextUniform() - 1 || 0.5);
  // Every query leans towards a direction u, and a few keys (other positions per KV head) carry u:
  // those are the heavy hitters a later step must keep while older keys go.
  const lean = row();
  const along = (values: Float64Array, amount: number) => values.map((value, c) => value + amount * lean[c]!);
  const hot = (g: number, position: number) => (position * 5 + g * 3) % 7 === 2;
  const simulation = new HeavyHitterSimulation(heads, kvHeads, heavy, recent);
  const steps: ComparedStep[] = [];
  let past = 0;
  for (const length of lengths) {
    const seq = length - past;
    const rows: SimulatedStep = {
      query: Array.from({ length: heads }, () => Array.from({ length: seq }, () => along(row(), 1))),
      key: Array.from({ length: kvHeads }, (_, g) =>
        Array.from({ length: seq }, (_, i) => along(row(), hot(g, past + i) ? 2 : 0)),
      ),
      value: Array.from({ length: kvHeads }, () => Array.from({ length: seq }, row)),
    };
    const flat = (parts: readonly (readonly Float64Array[])[]) =>
      Float32Array.from(parts.flatMap((rowsOfHead) => rowsOfHead.flatMap((values) => Array.from(values))));
    // The device computes from the f32 rows: the simulation takes the same rounded values.
    const rounded = (parts: readonly (readonly Float64Array[])[]) =>
      parts.map((rowsOfHead) => rowsOfHead.map((values) => Float64Array.from(Float32Array.from(values))));
    const result = await program.run(
      {
        query: flat(rows.query),
        key: flat(rows.key),
        value: flat(rows.value),
        past: Int32Array.of(past),
      },
      {
        dims: { seq },
        outputs: ['output', `${NAME}.cache.positions.next`, `${NAME}.cache.scores.next`],
        poisonOutputs: true,
      },
    );
    const simulated = simulation.step({
      query: rounded(rows.query),
      key: rounded(rows.key),
      value: rounded(rows.value),
    });
    const tags = result[`${NAME}.cache.positions.next`]!.data;
    const scores = result[`${NAME}.cache.scores.next`]!.data;
    const slots = heavy + recent;
    const kept: number[][] = [];
    const keptScores: number[][] = [];
    for (let g = 0; g < kvHeads; g++) {
      kept.push([]);
      keptScores.push([]);
      for (let s = 0; s < slots; s++) {
        const tag = Number(tags[g * slots + s]);
        if (tag <= 0) continue;
        kept[g]!.push(tag - 1);
        keptScores[g]!.push(Number(scores[g * slots + s]));
      }
    }
    steps.push({ length, output: result.output!.data as Float32Array, kept, scores: keptScores, simulated });
    past = length;
  }
  return steps;
}

/** Prefill 6 tokens in steps of 3, then decode one token at a time up to `end` (past the 7 slots). */
export function stepLengths(end: number): number[] {
  const lengths = [3, 6];
  for (let length = 7; length <= end; length++) lengths.push(length);
  return lengths;
}
