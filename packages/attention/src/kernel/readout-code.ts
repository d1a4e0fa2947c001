import { UnsupportedError } from '@weft/ir';
import type { KernelContext } from '@weft/wgsl';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import type { AttentionWrites } from './attention-writes.js';
import { LOWEST_F32 } from './online-tile-code.js';
import type { KernelFunctions } from './wgsl-functions.js';

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
  segmentStep(key: string, rows: readonly ReadoutState[], shared?: ReadoutState): string[];
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
  stores(at: ReadoutState, row: string, sum: string, shared?: ReadoutState): string[];
  /**
   * The one-row kernel's readout state as one struct `RowReadouts` and its helpers: the entry
   * declares `var row_readouts: RowReadouts;` plus `start`, and calls the returned lines.
   */
  rowHelpers(functions: KernelFunctions): {
    readonly start: string[];
    readonly rescale: string[];
    readonly key: string[];
    readonly stores: string[];
  };
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
    writes.probeRows !== undefined ||
    writes.relativeMass !== undefined
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
 * - relative mass: one sum per clipped offset r = clip(own − j, −K, K), R_r = Σ e^{s−m}; mass R_r/l
 *   (the extra accumulator of Shaw relative values: 2K + 1 sums in place of a second d_v one);
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
  const entropy = writes.entropy !== undefined;
  const diagonal = writes.diagonal !== undefined;
  const starts = writes.segmentMass === undefined ? [] : attrs.keySegments!;
  const segments = starts.length;
  const probes = writes.probeRows === undefined ? [] : attrs.probeRows!;
  const clip = writes.relativeMass === undefined ? 0 : attrs.relativeClip!;
  const offsets = clip === 0 ? 0 : 2 * clip + 1;
  const tracksKeys = entropy && keyMass;
  const scalars = [
    ...(entropy ? ['entropy_shift'] : []),
    ...(tracksKeys ? ['key_mass'] : []),
    ...(diagonal ? ['diagonal_mass'] : []),
  ];
  // Probe k of batch·head bh starts at (bh·R + k)·Nk (no `* 1` or `+ 0` in the text).
  const probeFlat = (index: number) => {
    const first = probes.length === 1 ? 'bh' : `bh * ${probes.length}`;
    return index === 0 ? `${first} * nk` : `(${first} + ${index}) * nk`;
  };
  const readouts: Omit<OnlineReadouts, 'rowHelpers'> = {
    accumulates: scalars.length > 0 || segments > 0 || offsets > 0,
    keyMass: tracksKeys,
    probes: probes.length,
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
      ...(offsets === 0 ? [] : [`var<private> relative_mass: array<array<f32, ${offsets}>, ${rows}>;`]),
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
      ...(offsets === 0
        ? []
        : [
            `for (var rel_i = 0; rel_i < ${offsets}; rel_i++) {`,
            `  ${at('relative_mass')}[rel_i] *= ${correction};`,
            '}',
          ]),
    ],
    segmentStart: () =>
      segments === 0 ? [] : ['segment_now = 0;', `segment_next = ${nextStart(starts, '0')};`],
    segmentStep: (key, rows, shared = (name) => name) =>
      segments === 0
        ? []
        : [
            `if (${key} >= ${shared('segment_next')}) {`,
            ...rows.flatMap((at) => [
              `  ${at('segment_mass')}[${shared('segment_now')}] += ${at('segment_run')};`,
              `  ${at('segment_run')} = 0.0;`,
            ]),
            `  ${shared('segment_now')} = ${
              starts
                .slice(1)
                .map((start) => `select(0, 1, ${key} >= ${start})`)
                .join(' + ') || '0'
            };`,
            `  ${shared('segment_next')} = ${nextStart(starts, key)};`,
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
      ...(offsets === 0
        ? []
        : [`${at('relative_mass')}[clamp(${ownKey} - (${key}), -${clip}, ${clip}) + ${clip}] += ${p};`]),
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
    stores(at, row, sum, shared = (name) => name) {
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
              `  let mass = ${at('segment_mass')}[seg_i] + select(0.0, ${at('segment_run')}, seg_i == ${shared('segment_now')});`,
              `  ${context.store(writes.segmentMass!, `(${flat}) * ${segments} + seg_i`, `mass * ${scale}`)}`,
              '}',
            ]),
        ...(offsets === 0
          ? []
          : [
              `for (var rel_i = 0; rel_i < ${offsets}; rel_i++) {`,
              `  ${context.store(writes.relativeMass!, `(${flat}) * ${offsets} + rel_i`, `${at('relative_mass')}[rel_i] * ${scale}`)}`,
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
  return {
    ...readouts,
    rowHelpers: (functions) => rowHelpers(functions, readouts, starts, scalars, offsets),
  };
}

/** See {@link OnlineReadouts.rowHelpers}. */
function rowHelpers(
  functions: KernelFunctions,
  readouts: Omit<OnlineReadouts, 'rowHelpers'>,
  starts: readonly number[],
  scalars: readonly string[],
  offsets: number,
) {
  const segments = starts.length;
  functions.add([
    '// The readout sums of one row (see `onlineReadouts`).',
    'struct RowReadouts {',
    ...scalars.map((name) => `  ${name}: f32,`),
    ...(segments === 0
      ? []
      : [
          `  segment_mass: array<f32, ${segments}>,`,
          '  segment_run: f32,',
          '  segment_now: i32,',
          '  segment_next: i32,',
        ]),
    ...(offsets === 0 ? [] : [`  relative_mass: array<f32, ${offsets}>,`]),
    '}',
  ]);
  const field = (name: string) => `(*r).${name}`;
  const pointer = ['r', 'ptr<function, RowReadouts>'] as const;
  const rescale = functions.define({
    name: 'rescale_readouts',
    comment: 'Moves the readout sums from reference max `old` to `next` (`sum`: l before the move).',
    params: [pointer, ['correction', 'f32'], ['old', 'f32'], ['next', 'f32'], ['sum', 'f32']],
    body: readouts.rescale(field, 'correction', 'old', 'next', readouts.keyMass ? field('key_mass') : 'sum'),
  });
  const key = functions.define({
    name: 'add_readout_key',
    comment: 'Folds kept key key_i (p = e^{s−m}, centered = s − m) into the readout sums of the row.',
    params: [pointer, ['key_i', 'i32'], ['own_key', 'i32'], ['p', 'f32'], ['centered', 'f32']],
    body: [
      ...readouts.segmentStep('key_i', [field], field),
      ...readouts.key(field, 'p', 'centered', 'true', 'key_i', 'own_key'),
    ],
  });
  const store = functions.define({
    name: 'store_readouts',
    comment: 'Stores the readouts of row `row` (in range) from its sums and its l.',
    params: [
      ['row', 'i32'],
      ['readouts', 'RowReadouts'],
      ['l', 'f32'],
    ],
    body: readouts.stores(
      (name) => `readouts.${name}`,
      'row',
      'l',
      (name) => `readouts.${name}`,
    ),
  });
  return {
    start: segments === 0 ? [] : [`row_readouts.segment_next = ${nextStart(starts, '0')};`],
    rescale: [`${rescale({ r: '&row_readouts', old: 'm_run', next: 'tile_max', sum: 'l_run' })};`],
    key: [`${key({ r: '&row_readouts', key_i: 'tile.k0 + j', centered: 's - m_run' })};`],
    stores: [`${store({ readouts: 'row_readouts', l: 'l_run' })};`],
  };
}

/** WGSL i32 of the first segment start after key `key` (the i32 max past the last segment). */
function nextStart(starts: readonly number[], key: string): string {
  let next = '2147483647';
  for (const start of starts.slice(1).reverse()) next = `select(${next}, ${start}, ${key} < ${start})`;
  return next;
}

/**
 * The helpers of the probe readout (see `onlineReadouts`): `start` marks the probes a row is (bit k:
 * probe k) and fills their rows with the "no key" mark, `score` stores a kept key's raw score in the
 * probes of `bits`, `finish` rewrites them as exp(s − lse) with lse = m + log l (a row without kept
 * keys holds only marks, which become 0 whatever that gives).
 */
export function probeHelpers(functions: KernelFunctions, readouts: OnlineReadouts) {
  const probes = Array.from({ length: readouts.probes }, (_, index) => index);
  const start = functions.define({
    name: 'start_probes',
    comment:
      'The probes query row `row` (query index q_i) is, one bit each; fills their rows with the "no key" mark.',
    params: [
      ['row', 'i32'],
      ['q_i', 'i32'],
    ],
    returns: 'u32',
    body: [
      'var bits = 0u;',
      ...probes.flatMap((index) => [
        `if (${readouts.probed('row', 'q_i', index)}) {`,
        `  bits |= ${2 ** index}u;`,
        ...readouts.startProbe(index).map((line) => `  ${line}`),
        '}',
      ]),
      'return bits;',
    ],
  });
  const score = functions.define({
    name: 'store_probe_score',
    comment: 'Stores the raw score of kept key key_i in the probe rows of `bits`.',
    params: [
      ['bits', 'u32'],
      ['key_i', 'i32'],
      ['score', 'f32'],
    ],
    body: probes.flatMap((index) => [
      `if ((bits & ${2 ** index}u) != 0u) {`,
      ...readouts.probeScore(index, 'key_i', 'score').map((line) => `  ${line}`),
      '}',
    ]),
  });
  const finish = functions.define({
    name: 'finish_probes',
    comment: 'Rewrites the probe rows of `bits` from raw scores to exp(s − lse).',
    params: [
      ['bits', 'u32'],
      ['probe_lse', 'f32'],
    ],
    body: readouts.finishProbes('probe_lse', (index) => `(bits & ${2 ** index}u) != 0u`),
  });
  return { start, score, finish };
}
