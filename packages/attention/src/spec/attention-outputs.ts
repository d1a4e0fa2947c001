import type { Normalizer } from './normalizers.js';
import { checkBoolean, checkNumber, describeValue, I32_MAX } from './validate.js';

/** What an attention op returns besides O. */
export interface AttentionOutputs {
  /**
   * Also return the row log-sum-exp `[batch, heads, queries]` (softmax only; −∞ on fully masked
   * rows), written by the kernel that computes O. Results over disjoint key sets merge with
   * `mergeAttention`.
   */
  readonly logSumExp?: boolean;
  /**
   * Also return the row max `[batch, heads, queries]`: m_i = max over kept keys of the final score
   * (any normalizer; −∞ on fully masked rows). With the log-sum-exp it lets callers rescale partial
   * results over key chunks, as Star Attention's and HyperAttention's merges do.
   */
  readonly rowMax?: boolean;
  /**
   * Also return the row entropy `[batch, heads, queries]`: H_i = −Σ_j p_ij log p_ij over the kept
   * keys (softmax only; 0 on fully masked rows), written by the kernel that computes O.
   */
  readonly entropy?: boolean;
  /**
   * Also return the diagonal `[batch, heads, queries]`: p_{i,i+Nk−Nq}, the weight of each query on
   * its own key position (bottom-right aligned, as the causal mask; 0 where that key is masked).
   * Softmax only.
   */
  readonly diagonal?: boolean;
  /**
   * Also return the mass per key segment `[batch, heads, queries, S]`: M_is = Σ_{j∈segment s} p_ij.
   * The S segments are given by their first key: ascending integers starting at 0, segment s covering
   * keys `[starts[s], starts[s+1])` and the last one running to the end. Softmax only.
   */
  readonly segmentMass?: readonly number[];
  /**
   * Also return the probabilities of selected query rows `[batch, heads, R, keys]` (attention
   * probes: Sentinel's and Attention Sorting's last row is `[-1]`): row indices, a negative one
   * counting from the end. Every row (`[0, 1, ..., Nq − 1]`) gives the full map, N×N in memory, as
   * attention rollout needs. Softmax only.
   */
  readonly probeRows?: readonly number[];
  /**
   * Also return the mass per clipped relative offset `[batch, heads, queries, 2K + 1]` for the clip
   * distance K given here: M_{i,r+K} = Σ_{j: clip(i' − j, −K, K) = r} p_ij with i' = i + Nk − Nq the
   * query's key position (bottom-right aligned, as the causal mask). Shaw et al.'s relative value
   * term Σ_j p_ij r^V_{clip(i−j)} is then M R^V, a `[queries, 2K + 1] × [2K + 1, valueDim]` product
   * (SQ-Transformer, catalog paper 46): the kernel keeps 2K + 1 sums per row in the same pass.
   * Softmax only.
   */
  readonly relativeMass?: number;
}

/** The readouts an attention spec asks for, besides O, as stored on the spec. */
export interface ResolvedAttentionOutputs {
  /** Whether the row log-sum-exp is returned. */
  readonly logSumExp: boolean;
  /** Whether the row max is returned. */
  readonly rowMax: boolean;
  /** Whether the row entropy is returned. */
  readonly entropy: boolean;
  /** Whether the diagonal is returned. */
  readonly diagonal: boolean;
  /** Segment starts, empty when the segment mass is not requested. */
  readonly segmentMass: readonly number[];
  /** Probed query rows, empty when no probe is requested. */
  readonly probeRows: readonly number[];
  /** Clip distance K of the relative-offset mass, 0 when it is not requested. */
  readonly relativeMass: number;
}

/**
 * Checks the `outputs` option of `attention` (keys, forms, softmax-only readouts) and resolves it;
 * `fail` throws the SpecError naming the block.
 */
export function resolveOutputs(
  builder: string,
  given: unknown,
  normalizer: Normalizer,
  fail: (message: string, expected: string, actual: unknown) => never,
): ResolvedAttentionOutputs {
  const outputs = (given ?? {}) as AttentionOutputs;
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs))
    fail('outputs must be an object', OUTPUTS_FORM, describeValue(outputs));
  for (const key of Object.keys(outputs))
    if (!OUTPUT_KEYS.includes(key)) fail(`unknown output "${key}"`, OUTPUT_KEYS.join(', '), key);
  const flag = (key: 'logSumExp' | 'rowMax' | 'entropy' | 'diagonal') =>
    outputs[key] === undefined ? false : checkBoolean(builder, `outputs.${key}`, outputs[key]);
  const logSumExp = flag('logSumExp');
  const rowMax = flag('rowMax');
  const entropy = flag('entropy');
  const diagonal = flag('diagonal');
  const segmentMass = outputs.segmentMass === undefined ? [] : checkSegmentStarts(outputs.segmentMass, fail);
  if (logSumExp && normalizer.def.logSumExp !== true)
    fail('the log-sum-exp output exists for softmax only', 'softmax', normalizer.name);
  const probeRows = outputs.probeRows === undefined ? [] : checkProbeRows(outputs.probeRows, fail);
  const relativeMass =
    outputs.relativeMass === undefined
      ? 0
      : checkNumber(builder, 'outputs.relativeMass', outputs.relativeMass, {
          integer: true,
          min: 1,
          max: MAX_RELATIVE_CLIP,
        });
  const readouts = entropy || diagonal || segmentMass.length > 0 || probeRows.length > 0 || relativeMass > 0;
  if (readouts && normalizer.def.logSumExp !== true)
    fail(
      'the entropy, diagonal, segment-mass, probe and relative-mass outputs exist for softmax only',
      'softmax',
      normalizer.name,
    );
  return { logSumExp, rowMax, entropy, diagonal, segmentMass, probeRows, relativeMass };
}

const OUTPUT_KEYS = [
  'logSumExp',
  'rowMax',
  'entropy',
  'diagonal',
  'segmentMass',
  'probeRows',
  'relativeMass',
];
const OUTPUTS_FORM =
  '{ logSumExp?: boolean, rowMax?: boolean, entropy?: boolean, diagonal?: boolean, segmentMass?: number[], ' +
  'probeRows?: number[], relativeMass?: number }';

/** The largest clip distance K of the relative-offset mass: 2K + 1 sums per row stay in registers. */
export const MAX_RELATIVE_CLIP = 32;

/** Segment starts: a non-empty array of ascending non-negative integers whose first is 0. */
function checkSegmentStarts(
  value: unknown,
  fail: (message: string, expected: string, actual: unknown) => never,
): number[] {
  const form = 'ascending integers starting at 0, e.g. [0, 16, 40]';
  if (!Array.isArray(value) || value.length === 0)
    fail('outputs.segmentMass must list segment starts', form, describeValue(value));
  const starts = value as unknown[];
  starts.forEach((start, index) => {
    const previous = index === 0 ? -1 : (starts[index - 1] as number);
    if (
      typeof start !== 'number' ||
      !Number.isInteger(start) ||
      start > I32_MAX ||
      start <= previous ||
      (index === 0 && start !== 0)
    )
      fail(`outputs.segmentMass[${index}] is invalid`, form, describeValue(start));
  });
  return starts as number[];
}

/** Probed rows: a non-empty array of integers (negative ones count from the end). */
function checkProbeRows(
  value: unknown,
  fail: (message: string, expected: string, actual: unknown) => never,
): number[] {
  const form = 'row indices, e.g. [-1] for the last row';
  if (!Array.isArray(value) || value.length === 0)
    fail('outputs.probeRows must list query rows', form, describeValue(value));
  (value as unknown[]).forEach((row, index) => {
    if (typeof row !== 'number' || !Number.isInteger(row) || Math.abs(row) > I32_MAX)
      fail(`outputs.probeRows[${index}] is invalid`, form, describeValue(row));
  });
  return value as number[];
}
