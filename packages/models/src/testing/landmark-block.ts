import { attention, causal, rope } from '@weft/attention';
import { input, symbolicDim } from '@weft/ir';
import type { CompileOptions, Program } from '@weft/runtime';
import { landmarkCacheAttention } from '../blocks/landmark-cache-attention.js';
import { landmarkCacheLayout } from '../blocks/landmark-kv-cache.js';
import { createSeededRandom } from '../weights/seeded-random.js';
import { compileCacheBlock } from './cache-block-program.js';
import { type LandmarkSimulated, LandmarkSimulation } from './landmark-simulation.js';

/** Shape of the tested attention layer and its cache: 5 blocks of ℓ = 3 (20 slots), top 2. */
export const LANDMARK_BLOCK = {
  heads: 4,
  kvHeads: 2,
  headDim: 8,
  blockSize: 3,
  topK: 2,
  maxSeq: 15,
} as const;
const NAME = 'attn';
/** RoPE base of the positioned variants: small, so that every dim pair turns within a few blocks. */
export const LANDMARK_ROPE_BASE = 100;

/**
 * The landmark cache of one attention layer as a stateful program (q, k, v, past): without
 * positions, or with RoPE (base {@link LANDMARK_ROPE_BASE}) and the given key placement.
 */
export async function compileLandmarkBlock(
  device: CompileOptions['device'],
  positions?: 'stingy' | 'exact',
): Promise<Program> {
  const { heads, kvHeads, headDim, blockSize, topK, maxSeq } = LANDMARK_BLOCK;
  const seq = symbolicDim('seq', { max: 1 });
  const spec = attention({
    heads,
    kvHeads,
    headDim,
    mask: causal(),
    name: NAME,
    ...(positions === undefined ? {} : { positions: rope({ base: LANDMARK_ROPE_BASE }) }),
  });
  const built = landmarkCacheAttention(
    spec,
    {
      query: input('query', [1, heads, seq, headDim]),
      key: input('key', [1, kvHeads, seq, headDim]),
      value: input('value', [1, kvHeads, seq, headDim]),
      tensors: {},
    },
    {
      past: input('past', [1], 'i32'),
      landmark: landmarkCacheLayout(blockSize, topK, maxSeq, positions ?? 'exact'),
    },
    NAME,
  );
  return compileCacheBlock(device, built.output, built.states, { selected: built.selected });
}

/** One compared step: the program's output and key cache next to the simulation's. */
export interface LandmarkComparedStep {
  readonly position: number;
  readonly output: Float32Array | Float64Array;
  readonly keyCache: Float32Array | Float64Array;
  /** Retrieved blocks per query head, by score (−1 dropped). */
  readonly selected: number[][];
  readonly keys: readonly (readonly Float64Array[])[];
  readonly simulated: LandmarkSimulated;
}

/**
 * Runs `steps` one-token steps on the program and the float64 simulation with the same fresh random
 * rows (seeded, never zero; rounded to f32 for both). Queries lean towards a direction u that the
 * keys of some blocks carry, so retrieval picks those and not the latest blocks. `stingy`: the
 * simulation places keys at the stingy positions under RoPE (for a program compiled with
 * `'stingy'`).
 */
export async function runLandmarkSteps(
  program: Program,
  steps: number,
  seed: number,
  stingy = false,
): Promise<LandmarkComparedStep[]> {
  const { heads, kvHeads, headDim, blockSize, topK } = LANDMARK_BLOCK;
  const random = createSeededRandom(seed);
  const row = () =>
    Float64Array.from(Float32Array.from({ length: headDim }, () => 2 * random.nextUniform() - 1 || 0.5));
  const lean = row();
  const along = (values: Float64Array, amount: number) =>
    Float64Array.from(Float32Array.from(values.map((value, c) => value + amount * lean[c]!)));
  const hot = (g: number, block: number) => (block * 3 + g) % 4 === 1;
  const simulation = new LandmarkSimulation(
    heads,
    kvHeads,
    blockSize,
    topK,
    stingy ? { base: LANDMARK_ROPE_BASE } : undefined,
  );
  const keys: Float64Array[][] = Array.from({ length: kvHeads }, () => []);
  const compared: LandmarkComparedStep[] = [];
  for (let position = 0; position < steps; position++) {
    const block = Math.floor(position / blockSize);
    const rows = {
      query: Array.from({ length: heads }, () => along(row(), 1)),
      key: Array.from({ length: kvHeads }, (_, g) => along(row(), hot(g, block) ? 1.5 : 0)),
      value: Array.from({ length: kvHeads }, row),
    };
    rows.key.forEach((key, g) => {
      keys[g]!.push(key);
    });
    const flat = (parts: readonly Float64Array[]) =>
      Float32Array.from(parts.flatMap((values) => Array.from(values)));
    const result = await program.run(
      {
        query: flat(rows.query),
        key: flat(rows.key),
        value: flat(rows.value),
        past: Int32Array.of(position),
      },
      { dims: { seq: 1 }, outputs: ['output', 'selected', `${NAME}.cache.key.next`], poisonOutputs: true },
    );
    compared.push({
      position,
      output: result.output!.data as Float32Array,
      keyCache: result[`${NAME}.cache.key.next`]!.data as Float32Array,
      selected: Array.from({ length: heads }, (_, h) =>
        Array.from(result.selected!.data.slice(h * topK, (h + 1) * topK), Number).filter((g) => g >= 0),
      ),
      keys: keys.map((list) => [...list]),
      simulated: simulation.step(rows),
    });
  }
  return compared;
}
