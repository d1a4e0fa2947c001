import {
  add,
  div,
  full,
  greater,
  literal,
  logicalAnd,
  min,
  mul,
  type Node,
  SpecError,
  tensorRef,
  where,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attentionColumnSums } from '../attention-column-sums.js';
import { and } from '../masks/combine-masks.js';
import { makeMask, UNKNOWN_BLOCK_RULE } from '../masks/mask.js';
import type { AttentionSpec, ResolvedAttentionOutputs } from '../spec/attention-spec.js';
import { ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { checkNumber, checkOptions, checkSize } from '../spec/validate.js';

/** Options of {@link attentionSinkCalibration}. */
export interface AttentionSinkCalibrationOptions {
  /** τ: key j is a sink where its column score c_j = Σ_i A_ij / (n − j) exceeds τ (ACT's `THRES`). */
  readonly threshold: number;
  /** β in [0, 1]: the share of the sinks' attention each row keeps (ACT's `BETA`). */
  readonly beta: number;
  /** The query heads to calibrate (ACT's per-layer head list from calibration). Default: every head. */
  readonly heads?: readonly number[];
  /** Block name: labels the kernels and names the bound sink table. Default `act`. */
  readonly name?: string;
}

/** The operands of {@link attentionSinkCalibration} (as for `applyAttention`). */
export interface AttentionSinkCalibrationInputs {
  /** `[B, H, N, d]`. */
  readonly query: Node;
  /** `[B, Hkv, N, d]`. */
  readonly key: Node;
  /** `[B, Hv, N, dv]`. */
  readonly value: Node;
  /** Tensors the spec's score mods read, by name. */
  readonly tensors?: Readonly<Record<string, Node>>;
}

/** What {@link attentionSinkCalibration} builds. */
export interface AttentionSinkCalibrationResult {
  /** O = A′V with the calibrated probabilities A′, `[B, H, N, dv]`. */
  readonly output: Node;
  /** The column scores c_j = Σ_i A_ij / (n − j), `[B, H, N]`. */
  readonly columnScores: Node;
  /** The sink set S of each calibrated head (1: sink), `[B, H, N]` i32; 0 on the other heads. */
  readonly sinks: Node;
}

const NO_EXTRA_OUTPUTS: ResolvedAttentionOutputs = {
  logSumExp: false,
  rowMax: false,
  entropy: false,
  diagonal: false,
  segmentMass: [],
  probeRows: [],
  relativeMass: 0,
};

/**
 * ACT's attention-sink calibration (Yu et al., "Unveiling and Harnessing Hidden Attention Sinks",
 * catalog #25), training-free, for causal self-attention at prefill. With A the causal softmax
 * attention of a calibrated head:
 *
 * - column scores c_j = (Σ_i A_ij)/(n − j), the mean attention key j receives from the queries
 *   that see it (from `attentionColumnSums`, no N×N buffer);
 * - the sink set S = {j : c_j > τ} without its first (lowest) element;
 * - per row, the sinks keep β of their weight and the freed (1 − β)·Σ_{j∈S} A_ij goes to the other
 *   keys in proportion to their weights: A′_ij = βA_ij on S, A_ij + avail_i·A_ij/Σ_{k∉S} A_ik off S.
 *
 * Since row i of A′ is β·A_i + (1 − β)·(A_i restricted to the keys outside S, renormalized), the
 * output is O = β·O + (1 − β)·O_rest with O_rest the softmax attention over the keys outside S
 * (key 0 is never in S, so every row keeps one). Kernels: the attention with its log-sum-exp, the
 * column sums (a transposed attention kernel), the sink table (elementwise and a min per head),
 * the attention that masks S (read from the table), and the mix. Heads not listed in `heads` get
 * A′ = A. Decoding is not covered: the column scores need every query of the prefill.
 *
 * The spec must be softmax without a sink (A then sums to 1 per row), causal with as many queries
 * as keys, and within `attentionColumnSums`' support (no RoPE in the spec: rotate q and k before,
 * no QK norm, no weighted heads). Anything else is a `SpecError`.
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 512, 16]));
 * const spec = attention({ heads: 4, headDim: 16, mask: causal() });
 * const { output, sinks } = attentionSinkCalibration(spec, { query: q!, key: k!, value: v! }, { threshold: 0.1, beta: 0.4 });
 * ```
 */
export function attentionSinkCalibration(
  spec: AttentionSpec,
  inputs: AttentionSinkCalibrationInputs,
  options: AttentionSinkCalibrationOptions,
): AttentionSinkCalibrationResult {
  const builder = 'attentionSinkCalibration';
  checkOptions(builder, options, ['threshold', 'beta', 'heads', 'name'], true);
  const name = options.name ?? 'act';
  const fail = (what: string): never => {
    throw new SpecError(`${builder}: attention "${spec.name}": ${what}`, { block: name });
  };
  const threshold = checkNumber(builder, 'option "threshold"', options.threshold);
  const beta = checkNumber(builder, 'option "beta"', options.beta, { min: 0, max: 1 });
  const calibrated = (options.heads ?? Array.from({ length: spec.heads }, (_, h) => h)).map((head) =>
    checkSize(builder, 'a calibrated head', head, 0),
  );
  for (const head of calibrated)
    if (head >= spec.heads) fail(`calibrated head ${head} is not one of its ${spec.heads} query heads`);
  if (spec.normalizer.name !== 'softmax')
    fail(`ACT edits softmax probabilities, not ${spec.normalizer.name}`);
  if ((spec.normalizer.options as { sink?: unknown }).sink !== undefined)
    fail('a softmax sink takes part of the row mass: ACT needs rows of A that sum to 1');
  if (spec.mask === undefined || !spec.mask.description.startsWith('causal('))
    fail('the mask must be causal(): the column score divides by n − j, the queries that see key j');
  const [batch, , length] = inputs.query.shape;
  const heads = spec.heads;
  const keys = inputs.key.shape[2];
  if (typeof length !== 'number' || length !== keys || typeof batch !== 'number')
    fail(
      `the query and key lengths must be one static n (self-attention prefill), not ${length} and ${keys}`,
    );
  const n = length as number;
  const attended = { ...spec, name: `${name}.attention`, outputs: { ...NO_EXTRA_OUTPUTS, logSumExp: true } };
  const plain = applyAttention(attended, inputs);
  const columnSums = attentionColumnSums(attended, {
    query: inputs.query,
    key: inputs.key,
    logSumExp: plain.logSumExp!,
    ...(inputs.tensors === undefined ? {} : { tensors: inputs.tensors }),
  });
  const columnScores = div(
    columnSums,
    literal(
      Array.from({ length: n }, (_, j) => n - j),
      [n],
    ),
  );
  const positions = literal(
    Array.from({ length: n }, (_, j) => j),
    [n],
    'i32',
  );
  const above = greater(columnScores, threshold);
  // The first key above τ stays untouched (normally token 0): S drops the lowest index.
  const first = min(where(above, positions, n), -1, { keepDims: true });
  const headSelected = literal(
    Array.from({ length: heads }, (_, h) => (calibrated.includes(h) ? 1 : 0)),
    [1, heads, 1],
    'i32',
  );
  const sinks = where(
    logicalAnd(logicalAnd(above, greater(positions, first)), greater(headSelected, 0)),
    full(1, [], 'i32'),
    0,
  );
  const table = tensorRef(`${name}.sinks`, [batch as number, heads, n], 'i32');
  const outsideSinks = makeMask(`outside(${table.name})`, table.at(I.b, I.h, I.k).eq(0), UNKNOWN_BLOCK_RULE, {
    roles: { [table.name]: ['batch', 'heads', 'keys'] },
  });
  const restSpec = {
    ...spec,
    name: `${name}.rest`,
    mask: and(spec.mask!, outsideSinks),
    outputs: NO_EXTRA_OUTPUTS,
  };
  const rest = applyAttention(restSpec, {
    ...inputs,
    tensors: { ...inputs.tensors, [table.name]: sinks },
  }).output;
  // β on the calibrated heads, 1 (A′ = A) on the others.
  const kept = literal(
    Array.from({ length: heads }, (_, h) => (calibrated.includes(h) ? beta : 1)),
    [1, heads, 1, 1],
  );
  const freed = literal(
    Array.from({ length: heads }, (_, h) => (calibrated.includes(h) ? 1 - beta : 0)),
    [1, heads, 1, 1],
  );
  const output = add(mul(kept, plain.output), mul(freed, rest));
  return { output, columnScores, sinks };
}
