import { type BenchCase, once } from '../bench-case.js';
import { randomValues } from '../random-values.js';
import { weftSystem } from '../weft/weft-system.js';

const HEADS = 4;
const HEAD_DIM = 64;
/** Keys each row keeps: θ of row i is its KEPT-th largest score (the paper's per-row calibration). */
const KEPT = 64;
/** Rows per workgroup and keys per tile of the fused kernel (32 on every adapter here). */
const TILE = 32;
/** Amplitude of the positional part of q and k (sets how local the scores are). */
const AMPLITUDE = 2;
/** Frequencies of the positional part (all 64 dims): q_i·k_j ≈ A²·Σ cos(ω(i − j)) peaks near j = i. */
const FREQUENCIES = 32;
/** Rank window around KEPT in which θ takes the widest score gap (f32 scores then keep the same keys). */
const RANK_WINDOW = 8;

/**
 * Causal Top-θ (catalog #114, no compensation) at B=1, H=4, d=64, with θ per row set to keep about
 * its 64 largest scores (as calibrated offline for causal prefill), the fused kernel skipping the V tiles
 * no row of a workgroup keeps (`weft-fused`) against the same kernel loading every V tile
 * (`weft-unskipped`, `valueTiles: 'loadAll'`), interleaved in one run. q and k are seeded noise
 * plus a sinusoidal position code over all 64 dims, so that scores are local like a trained
 * model's (with i.i.d. scores nearly every 32×32 block holds a kept key and nothing is skipped);
 * the note gives the share of causal V tiles that still load.
 */
export function topThetaCases(sequence: number): BenchCase[] {
  return [
    {
      name: `attention-top-theta-n${sequence}`,
      group: 'top-theta',
      description: `causal MHA B=1 H=${HEADS} N=${sequence} d=${HEAD_DIM}, Top-θ keeping the ${KEPT} largest scores per row (local scores)`,
      referenceSystem: 'weft-unskipped',
      setup({ weft }) {
        const count = HEADS * sequence * HEAD_DIM;
        const query = positional(randomValues(count, 61), sequence);
        const key = positional(randomValues(count, 62), sequence);
        const value = randomValues(count, 63);
        const scores = once(() => causalScores(query, key, sequence));
        const theta = once(() => rowThresholds(scores(), sequence));
        const build = (valueTiles: 'skipPruned' | 'loadAll') => async () => {
          const { input, makeGraph, tensorRef } = await import('@weft/ir');
          const { applyAttention, attention, causal, topTheta } = await import('@weft/attention');
          const dims = [1, HEADS, sequence, HEAD_DIM];
          const [q, k, v] = [input('query', dims), input('key', dims), input('value', dims)];
          const threshold = input('theta', [HEADS, sequence]);
          const normalizer = topTheta({ threshold: tensorRef('theta', [HEADS, sequence]), valueTiles });
          const spec = attention({
            name: `top-theta-${valueTiles}`,
            heads: HEADS,
            headDim: HEAD_DIM,
            mask: causal(),
            normalizer,
          });
          const { output } = applyAttention(spec, {
            query: q,
            key: k,
            value: v,
            tensors: { theta: threshold },
          });
          return {
            graph: makeGraph({ output }),
            inputs: { query, key, value, theta: Float32Array.from(theta()) },
          };
        };
        return {
          get reference() {
            return topThetaReference(scores(), theta(), value, sequence);
          },
          flops: (4 * HEADS * sequence * sequence * HEAD_DIM) / 2,
          systems: {
            'weft-fused': weftSystem(weft, true, build('skipPruned'), {
              note: async () => loadedTilesNote(scores(), theta(), sequence),
            }),
            'weft-unskipped': weftSystem(weft, true, build('loadAll')),
          },
        };
      },
    },
  ];
}

/** Adds A·(cos ωp, sin ωp) pairs of position p to the first dims of every row. */
function positional(values: Float32Array, sequence: number): Float32Array {
  for (let h = 0; h < HEADS; h++)
    for (let p = 0; p < sequence; p++)
      for (let f = 0; f < FREQUENCIES; f++) {
        const omega = (Math.PI / 128) * 0.5 ** ((4 * f) / FREQUENCIES);
        const row = (h * sequence + p) * HEAD_DIM;
        values[row + 2 * f] = values[row + 2 * f]! + AMPLITUDE * Math.cos(omega * p);
        values[row + 2 * f + 1] = values[row + 2 * f + 1]! + AMPLITUDE * Math.sin(omega * p);
      }
  return values;
}

/** s_ij = q_i·k_j/√d for j ≤ i, float64, row by row (`[h][i]` → keys 0..i). */
function causalScores(query: Float32Array, key: Float32Array, sequence: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let h = 0; h < HEADS; h++)
    for (let i = 0; i < sequence; i++) {
      const row = new Float64Array(i + 1);
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let d = 0; d < HEAD_DIM; d++)
          dot += query[(h * sequence + i) * HEAD_DIM + d]! * key[(h * sequence + j) * HEAD_DIM + d]!;
        row[j] = dot / Math.sqrt(HEAD_DIM);
      }
      rows.push(row);
    }
  return rows;
}

/**
 * θ_{h,i} in the widest gap between consecutive sorted scores of ranks KEPT ± RANK_WINDOW (about
 * KEPT keys kept, as the paper's calibration targets), in f32, so that f32 scores keep the keys
 * float64 keeps; a row with at most KEPT keys keeps all.
 */
function rowThresholds(scores: readonly Float64Array[], sequence: number): Float64Array {
  return Float64Array.from({ length: HEADS * sequence }, (_, row) => {
    const sorted = Array.from(scores[row]!).sort((a, b) => b - a);
    if (sorted.length <= KEPT + RANK_WINDOW) return -3e38;
    let best = KEPT;
    for (let rank = KEPT - RANK_WINDOW; rank <= KEPT + RANK_WINDOW; rank++)
      if (sorted[rank - 1]! - sorted[rank]! > sorted[best - 1]! - sorted[best]!) best = rank;
    return Math.fround((sorted[best - 1]! + sorted[best]!) / 2);
  });
}

/** Top-θ without compensation, float64: softmax over the kept scores s ≥ θ of each causal row. */
function topThetaReference(
  scores: readonly Float64Array[],
  theta: Float64Array,
  value: Float32Array,
  sequence: number,
): Float64Array {
  const output = new Float64Array(HEADS * sequence * HEAD_DIM);
  scores.forEach((row, index) => {
    const h = Math.floor(index / sequence);
    const max = Math.max(...row);
    const weights = Array.from(row, (s) => (s >= theta[index]! ? Math.exp(s - max) : 0));
    const total = weights.reduce((sum, w) => sum + w, 0);
    weights.forEach((w, j) => {
      if (w === 0) return;
      for (let d = 0; d < HEAD_DIM; d++)
        output[index * HEAD_DIM + d]! += (w / total) * value[(h * sequence + j) * HEAD_DIM + d]!;
    });
  });
  return output;
}

/** `loads 23% of the causal V tiles`: (query block, key tile) pairs where some row keeps a key. */
function loadedTilesNote(scores: readonly Float64Array[], theta: Float64Array, sequence: number): string {
  const blocks = sequence / TILE;
  let loaded = 0;
  for (let h = 0; h < HEADS; h++)
    for (let block = 0; block < blocks; block++)
      for (let tile = 0; tile <= block; tile++) {
        let needed = false;
        for (let i = block * TILE; i < (block + 1) * TILE && !needed; i++) {
          const row = scores[h * sequence + i]!;
          for (let j = tile * TILE; j < Math.min((tile + 1) * TILE, i + 1); j++)
            if (row[j]! >= theta[h * sequence + i]!) needed = true;
        }
        if (needed) loaded++;
      }
  const causalTiles = (HEADS * blocks * (blocks + 1)) / 2;
  return `loads ${((100 * loaded) / causalTiles).toFixed(1)}% of the causal V tiles`;
}
