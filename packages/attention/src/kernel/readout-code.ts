import { UnsupportedError } from '@weft/ir';
import type { KernelContext } from '@weft/wgsl';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import type { AttentionWrites } from './attention-writes.js';
import { LOWEST_F32 } from './online-tile-code.js';

/** WGSL l-value of readout state `name` for one row: a local, or that row's entry of a private array. */
export type ReadoutState = (name: string) => string;

/**
 * The readouts folded into the online-softmax pass (see {@link onlineReadouts}). Every method
 * returns WGSL lines for one query row, whose state `at` names.
 */
export interface OnlineReadouts {
  /** Whether some row state is kept (entropy, diagonal or segment sums). */
  readonly accumulates: boolean;
  /** Whether the state includes the keys' own sum Σ e^{s−m} (a sink makes l_run differ from it). */
  readonly keyMass: boolean;
  /** Number of probed rows. */
  readonly probes: number;
  /** The row state as function-scope `var`s (the one-row kernel). */
  locals(): string[];
  /** The row state as `var<private>` arrays of `rows` entries (the several-rows kernel). */
  privates(rows: number): string[];
  /**
   * Rescales the state from reference max `old` to `next` (`correction` = exp(old − next)); `keySum`
   * is Σ e^{s − old} over the keys so far. Runs before the running max and sums change.
   */
  rescale(at: ReadoutState, correction: string, old: string, next: string, keySum: string): string[];
  /**
   * Before key `key` joins the rows `rows`: when it starts a new key segment, moves each row's
   * running mass of the segment it leaves into that segment's slot (keys come in ascending order, so
   * this runs at most once per segment; the rows of one invocation share the segment position).
   */
  segmentStep(key: string, rows: readonly ReadoutState[]): string[];
  /** Starts the shared segment position (before the first key). */
  segmentStart(): string[];
  /**
   * Folds one key into the state: `p` = e^{s−m} (0 for a masked key), `centered` = s − m (read only
   * where `kept`), `key` its index, `ownKey` the row's own key j = i + Nk − Nq.
   */
  key(at: ReadoutState, p: string, centered: string, kept: string, key: string, ownKey: string): string[];
  /** Whether the row is probe `index` (`row` its index, `queryIndex` its clamped query index). */
  probed(row: string, queryIndex: string, index: number): string;
  /** Fills probe `index`'s row with the "no key" mark (before the pass; the probing row only). */
  startProbe(index: number): string[];
  /** Stores the raw score `score` of kept key `key` in probe `index`'s row (the probing row only). */
  probeScore(index: number, key: string, score: string): string[];
  /** The stores of the finished row `row` (in range): `sum` is its running sum l (sink included). */
  stores(at: ReadoutState, row: string, sum: string): string[];
  /**
   * Rewrites the probe rows of a finished row (in range) from raw scores to p = exp(s − lse):
   * `logSumExp` is its final log-sum-exp, `probed(k)` whether it is probe k.
   */
  finishProbes(logSumExp: string, probed: (index: number) => string): string[];
}

/** Whether the kernel writes any readout of the probabilities. */
export function writesReadouts(writes: AttentionWrites): boolean {
  return (
    writes.entropy !== undefined ||
    writes.diagonal !== undefined ||
    writes.segmentMass !== undefined ||
    writes.probeRows !== undefined
  );
}

/**
 * The readouts of the tiled kernel, folded into its online-softmax pass (no extra key pass). With
 * m the running max, l = Σ e^{s−m} (plus a sink's e^{sink−m}) and, per row, running sums kept
 * against the same m (each rescaled by exp(old − new) when m rises, as l is):
 * - entropy: T = Σ e^{s−m}(s − m) over the kept keys, and K = Σ e^{s−m} (= l without a sink). When m
 *   rises by δ = new − old, every s − m drops by δ: T ← exp(−δ)(T − δ K). At the end, with
 *   p = e^{s−m}/l and log p = (s − m) − log l, H = −Σ p log p = (K log l − T)/l (log l − T/l without a
 *   sink); the terms e^{x}·x (x ≤ 0) are bounded by 1/e and both parts are ≥ 0, so nothing cancels;
 * - diagonal: D = e^{s_own − m}; a_ii = D/l;
 * - segment mass: one sum per key segment, M_s = Σ_{j∈s} e^{s−m}; mass M_s/l;
 * - probes: the probing row stores each kept key's raw score in its probe row (pre-filled with the
 *   lowest f32 for masked and skipped keys), then rewrites the row as exp(s − lse) once lse is known:
 *   O(Nk) per probe instead of a key pass.
 * Undefined when the kernel writes no readout; softmax only (the spec enforces it).
 */
export function onlineReadouts(
  context: KernelContext,
  attrs: AttentionAttrs,
  writes: AttentionWrites,
  hasLogSumExp: boolean,
  keyMass: boolean,
): OnlineReadouts | undefined {
  if (!writesReadouts(writes)) return undefined;
  if (!hasLogSumExp)
    throw new UnsupportedError(`attention "${attrs.block}": readouts exist for softmax only`, {
      block: attrs.block,
      expected: 'softmax',
      actual: attrs.normalizer.name,
    });
  context.helpers.add('weft_inf');
  const entropy = writes.entropy !== undefined;
  const diagonal = writes.diagonal !== undefined;
  const starts = writes.segmentMass === undefined ? [] : attrs.keySegments!;
  const segments = starts.length;
  const probes = writes.probeRows === undefined ? [] : attrs.probeRows!;
  const tracksKeys = entropy && keyMass;
  const scalars = [
    ...(entropy ? ['entropy_shift'] : []),
    ...(tracksKeys ? ['key_mass'] : []),
    ...(diagonal ? ['diagonal_mass'] : []),
  ];
  const probeFlat = (index: number) => `(bh * ${probes.length} + ${index}) * nk`;
  return {
    accumulates: scalars.length > 0 || segments > 0,
    keyMass: tracksKeys,
    probes: probes.length,
    locals: () => [
      ...scalars.map((name) => `var ${name} = 0.0;`),
      ...(segments === 0
        ? []
        : [
            `var segment_mass: array<f32, ${segments}>;`,
            'var segment_run = 0.0;',
            'var segment_now = 0;',
            `var segment_next = ${nextStart(starts, '0')};`,
          ]),
    ],
    privates: (rows) => [
      ...scalars.map((name) => `var<private> ${name}: array<f32, ${rows}>;`),
      ...(segments === 0
        ? []
        : [
            `var<private> segment_mass: array<array<f32, ${segments}>, ${rows}>;`,
            `var<private> segment_run: array<f32, ${rows}>;`,
            // The segment of the keys being visited, and the first key of the next one.
            'var<private> segment_now: i32;',
            'var<private> segment_next: i32;',
          ]),
    ],
    rescale: (at, correction, old, next, keySum) => [
      ...(entropy
        ? [
            `${at('entropy_shift')} = ${correction} * (${at('entropy_shift')} + (${old} - ${next}) * ${keySum});`,
          ]
        : []),
      ...(tracksKeys ? [`${at('key_mass')} *= ${correction};`] : []),
      ...(diagonal ? [`${at('diagonal_mass')} *= ${correction};`] : []),
      ...(segments === 0
        ? []
        : [
            `${at('segment_run')} *= ${correction};`,
            `for (var seg_i = 0; seg_i < ${segments}; seg_i++) {`,
            `  ${at('segment_mass')}[seg_i] *= ${correction};`,
            '}',
          ]),
    ],
    segmentStart: () =>
      segments === 0 ? [] : ['segment_now = 0;', `segment_next = ${nextStart(starts, '0')};`],
    segmentStep: (key, rows) =>
      segments === 0
        ? []
        : [
            `if (${key} >= segment_next) {`,
            ...rows.flatMap((at) => [
              `  ${at('segment_mass')}[segment_now] += ${at('segment_run')};`,
              `  ${at('segment_run')} = 0.0;`,
            ]),
            `  segment_now = ${
              starts
                .slice(1)
                .map((start) => `select(0, 1, ${key} >= ${start})`)
                .join(' + ') || '0'
            };`,
            `  segment_next = ${nextStart(starts, key)};`,
            '}',
          ],
    key: (at, p, centered, kept, key, ownKey) => [
      ...(entropy
        ? [
            kept === 'true'
              ? `${at('entropy_shift')} += ${p} * ${centered};`
              : `${at('entropy_shift')} += select(0.0, ${p} * ${centered}, ${kept});`,
          ]
        : []),
      ...(tracksKeys ? [`${at('key_mass')} += ${p};`] : []),
      ...(diagonal
        ? [`${at('diagonal_mass')} = select(${at('diagonal_mass')}, ${p}, ${key} == ${ownKey});`]
        : []),
      ...(segments === 0 ? [] : [`${at('segment_run')} += ${p};`]),
    ],
    probed: (row, queryIndex, index) => {
      const probe = probes[index]!;
      return `${row} < nq && ${queryIndex} == ${probe < 0 ? `nq - ${-probe}` : String(probe)}`;
    },
    startProbe: (index) => [
      `for (var probe_j = 0; probe_j < nk; probe_j++) {`,
      `  ${context.store(writes.probeRows!, `${probeFlat(index)} + probe_j`, LOWEST_F32)}`,
      '}',
    ],
    probeScore: (index, key, score) => [
      context.store(writes.probeRows!, `${probeFlat(index)} + ${key}`, score),
    ],
    stores(at, row, sum) {
      const flat = `bh * nq + ${row}`;
      const scale = `select(0.0, 1.0 / ${sum}, ${sum} > 0.0)`;
      const keys = tracksKeys ? at('key_mass') : sum;
      return [
        ...(entropy
          ? [
              context.store(
                writes.entropy!,
                flat,
                tracksKeys
                  ? `(${keys} * log(max(${sum}, 1e-30)) - ${at('entropy_shift')}) * ${scale}`
                  : `select(0.0, log(${sum}) - ${at('entropy_shift')} / ${sum}, ${sum} > 0.0)`,
              ),
            ]
          : []),
        ...(diagonal ? [context.store(writes.diagonal!, flat, `${at('diagonal_mass')} * ${scale}`)] : []),
        ...(segments === 0
          ? []
          : [
              `for (var seg_i = 0; seg_i < ${segments}; seg_i++) {`,
              `  let mass = ${at('segment_mass')}[seg_i] + select(0.0, ${at('segment_run')}, seg_i == segment_now);`,
              `  ${context.store(writes.segmentMass!, `(${flat}) * ${segments} + seg_i`, `mass * ${scale}`)}`,
              '}',
            ]),
      ];
    },
    finishProbes: (logSumExp, probed) =>
      probes.flatMap((_, index) => [
        // Raw scores become p = exp(s − lse); the "no key" mark (−3.4e38) becomes 0.
        `if (${probed(index)}) {`,
        '  for (var probe_j = 0; probe_j < nk; probe_j++) {',
        `    let probe_flat = ${probeFlat(index)} + probe_j;`,
        `    let probe_score = ${context.load(writes.probeRows!, 'probe_flat')};`,
        `    ${context.store(writes.probeRows!, 'probe_flat', `select(0.0, exp(probe_score - ${logSumExp}), probe_score > -3.0e38)`)}`,
        '  }',
        '}',
      ]),
  };
}

/** WGSL i32 of the first segment start after key `key` (the i32 max past the last segment). */
function nextStart(starts: readonly number[], key: string): string {
  let next = '2147483647';
  for (const start of starts.slice(1).reverse()) next = `select(${next}, ${start}, ${key} < ${start})`;
  return next;
}
