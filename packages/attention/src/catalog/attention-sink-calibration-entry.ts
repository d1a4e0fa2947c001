import { makeGraph } from '@weft/ir';
import { attentionSinkCalibration } from '../compose/attention-sink-calibration.js';
import { causal } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/**
 * ACT's instance: 4 heads × 32 positions × dim 16, τ 0.1, β 0.4, heads 0, 2 and 3 calibrated (head
 * 1 left as is). Keys 0, 5 and 13 carry a shared direction u that every query also carries
 * (`sinkStrength`·u on the keys, `queryBias`·u on the queries), so they draw much of each row's
 * attention, as sink tokens do: their column scores exceed τ and S = {5, 13} after the first.
 */
export const ACT_SHAPE = {
  heads: 4,
  headDim: 16,
  length: 32,
  threshold: 0.1,
  beta: 0.4,
  calibratedHeads: [0, 2, 3],
  sinkKeys: [0, 5, 13],
  sinkStrength: 4,
  queryBias: 2,
} as const;

/** Seeded q, k, v of the ACT instance, with the sink direction added to the sink keys and queries. */
export function actInputs(): { q: Float32Array; k: Float32Array; v: Float32Array } {
  const { heads, headDim, length, sinkKeys, sinkStrength, queryBias } = ACT_SHAPE;
  const count = heads * length * headDim;
  const direction = seeded(headDim, 34);
  const norm = Math.hypot(...direction);
  const q = seeded(count, 31);
  const k = seeded(count, 32);
  for (let row = 0; row < heads * length; row++) {
    for (let d = 0; d < headDim; d++) {
      const u = direction[d]! / norm;
      q[row * headDim + d]! += queryBias * u;
      if ((sinkKeys as readonly number[]).includes(row % length)) k[row * headDim + d]! += sinkStrength * u;
    }
  }
  return { q, k, v: seeded(count, 33) };
}

/**
 * ACT — attention-sink calibration (catalog #25) at small sizes: causal softmax attention whose
 * calibrated heads find their sinks from the column scores c_j = Σ_i A_ij/(n − j) on the device,
 * keep β of the sinks' weight and give the rest to the other keys of each row in proportion to
 * theirs. Outputs `output`, the column scores and the sink table.
 */
export const attentionSinkCalibrationCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'attention-sink-calibration',
  paper: 25,
  build() {
    const { heads, headDim, length, threshold, beta, calibratedHeads } = ACT_SHAPE;
    const [query, key, value] = qkvInputs([1, heads, length, headDim]);
    const spec = attention({ name: 'attention-sink-calibration', heads, headDim, mask: causal() });
    const { output, columnScores, sinks } = attentionSinkCalibration(
      spec,
      { query, key, value },
      { threshold, beta, heads: calibratedHeads },
    );
    return {
      graph: makeGraph({ output, columnScores, sinks }),
      params: {},
      inputs: actInputs(),
      dims: {},
    };
  },
};
