import { attention, causal } from '@weft/attention';
import { input, symbolicDim } from '@weft/ir';
import type { CompileOptions, Program } from '@weft/runtime';
import { lteCacheAttention } from '../blocks/lte-cache-attention.js';
import { lteCacheLayout } from '../blocks/lte-kv-cache.js';
import { createSeededRandom } from '../weights/seeded-random.js';
import { compileCacheBlock } from './cache-block-program.js';
import { LteCacheSimulation, type LteSimulatedResult, type LteStepRows } from './lte-cache-simulation.js';

/** Shape of the tested attention layer and its cache. */
export const LTE_BLOCK = { heads: 4, kvHeads: 2, headDim: 8, window: 3, sinks: 2, stepTokens: 3 } as const;
const NAME = 'attn';

/** The LTE cache of one attention layer as a stateful program (inputs query, key, value, logits, past). */
export async function compileLteCacheBlock(
  device: CompileOptions['device'],
  budget: number,
): Promise<Program> {
  const { heads, kvHeads, headDim, window, sinks, stepTokens } = LTE_BLOCK;
  const seq = symbolicDim('seq', { max: stepTokens });
  const spec = attention({ heads, kvHeads, headDim, mask: causal(), name: NAME });
  const built = lteCacheAttention(
    spec,
    {
      query: input('query', [1, heads, seq, headDim]),
      key: input('key', [1, kvHeads, seq, headDim]),
      value: input('value', [1, kvHeads, seq, headDim]),
      logits: input('logits', [1, kvHeads, seq]),
      tensors: {},
    },
    { past: input('past', [1], 'i32'), lte: lteCacheLayout({ window, budget, sinks, stepTokens }) },
    NAME,
  );
  return compileCacheBlock(device, built.output, built.states);
}

/** One compared step: the program's output and cached positions next to the simulation's. */
export interface LteComparedStep {
  readonly length: number;
  readonly output: Float32Array | Float64Array;
  readonly kept: number[][];
  readonly simulated: LteSimulatedResult;
  /** The simulation's router logits per KV head so far. */
  readonly logits: number[][];
}

/**
 * Runs `lengths` (the sequence length after each step) on the program and the float64 simulation
 * with the same fresh random rows (seeded, never zero); router logits are uniform in
 * (−1, 1) + `logitBias`, rounded to f32 on both sides.
 */
export async function runLteCacheSteps(
  program: Program,
  lengths: readonly number[],
  options: { readonly seed: number; readonly budget: number; readonly logitBias: number },
): Promise<LteComparedStep[]> {
  const { heads, kvHeads, headDim, window, sinks } = LTE_BLOCK;
  const capacity = sinks + options.budget + window;
  const random = createSeededRandom(options.seed);
  const uniform = () => 2 * random.nextUniform() - 1 || 0.5;
  const row = (width: number) => Float64Array.from(Float32Array.from({ length: width }, uniform));
  const simulation = new LteCacheSimulation(heads, kvHeads, { window, budget: options.budget, sinks });
  const flat = (parts: readonly (readonly ArrayLike<number>[])[]) =>
    Float32Array.from(parts.flatMap((rowsOfHead) => rowsOfHead.flatMap((values) => Array.from(values))));
  const steps: LteComparedStep[] = [];
  let past = 0;
  for (const length of lengths) {
    const seq = length - past;
    const rows: LteStepRows = {
      query: Array.from({ length: heads }, () => Array.from({ length: seq }, () => row(headDim))),
      key: Array.from({ length: kvHeads }, () => Array.from({ length: seq }, () => row(headDim))),
      value: Array.from({ length: kvHeads }, () => Array.from({ length: seq }, () => row(headDim))),
      logits: Array.from({ length: kvHeads }, () =>
        Array.from({ length: seq }, () => Math.fround(uniform() + options.logitBias)),
      ),
    };
    const result = await program.run(
      {
        query: flat(rows.query),
        key: flat(rows.key),
        value: flat(rows.value),
        logits: Float32Array.from(rows.logits.flat()),
        past: Int32Array.of(past),
      },
      { dims: { seq }, outputs: ['output', `${NAME}.cache.positions.next`], poisonOutputs: true },
    );
    const simulated = simulation.step(rows);
    const tags = result[`${NAME}.cache.positions.next`]!.data;
    const kept = Array.from({ length: kvHeads }, (_, g) =>
      Array.from({ length: capacity }, (_, s) => Number(tags[g * capacity + s]) - 1).filter(
        (position) => position >= 0,
      ),
    );
    const logits = Array.from({ length: kvHeads }, (_, g) => simulation.logits(g));
    steps.push({ length, output: result.output!.data as Float32Array, kept, simulated, logits });
    past = length;
  }
  return steps;
}
