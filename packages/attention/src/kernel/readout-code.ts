import { UnsupportedError } from '@weft/ir';
import type { KernelContext } from '@weft/wgsl';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import type { AttentionWrites } from './attention-writes.js';
import { eachKeptKey } from './online-tile-code.js';

/** WGSL of the readouts one tiled kernel writes (see {@link readoutCode}). */
export interface ReadoutCode {
  /** Before the readout pass: the final row log-sum-exp `row_lse` and the readout accumulators. */
  readonly setup: readonly string[];
  /** The body of the readout pass over one staged key tile (after `score_tile`: `kept`, `scores`). */
  readonly tile: readonly string[];
  /** Whether the pass must visit the tiles the block rule skips (probes write zeros there). */
  readonly everyTile: boolean;
  /** The stores of the finished row (inside `if (row < nq)`). */
  readonly stores: readonly string[];
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
 * The readout pass of the tiled kernel: once the normalizer's passes have the row's final
 * log-sum-exp, one more pass over the key tiles (keys only, no values) rescores each kept key and
 * folds p = exp(s − lse) into the requested readouts: the entropy −Σ p (s − lse) = −Σ p log p, the
 * weight on the query's own key j = i + Nk − Nq, the mass of each key segment, and, for a probed
 * row, p of every key of the tile (0 for a masked one) straight to its row of the probe. Undefined when
 * the kernel writes no readout; softmax only (the spec enforces it; the log-sum-exp defines p).
 */
export function readoutCode(
  context: KernelContext,
  attrs: AttentionAttrs,
  writes: AttentionWrites,
  logSumExp: string | undefined,
): ReadoutCode | undefined {
  if (!writesReadouts(writes)) return undefined;
  if (logSumExp === undefined)
    throw new UnsupportedError(`attention "${attrs.block}": readouts exist for softmax only`, {
      block: attrs.block,
      expected: 'softmax',
      actual: attrs.normalizer.name,
    });
  context.helpers.add('weft_inf');
  const starts = writes.segmentMass === undefined ? [] : attrs.keySegments!;
  const segments = starts.length;
  const probes = writes.probeRows === undefined ? [] : attrs.probeRows!;
  // Whether this row is probe k (a row past the end, clamped, never is; rows may repeat).
  const probeSetup = probes.map(
    (probe, index) =>
      `let probed_${index} = row < nq && q_i == ${probe < 0 ? `nq - ${-probe}` : String(probe)};`,
  );
  const probeTile = probes.flatMap((_, index) => [
    `if (probed_${index}) {`,
    `  let probe_flat = (bh * ${probes.length} + ${index}) * nk + tile.k0;`,
    '  for (var j = 0; j < tile.keys; j++) {',
    '    let is_kept = ((kept >> u32(j)) & 1u) != 0u;',
    `    ${context.store(writes.probeRows!, 'probe_flat + j', 'select(0.0, exp(scores[j] - row_lse), is_kept)')}`,
    '  }',
    '}',
  ]);
  const setup = [
    `let row_lse = ${logSumExp};`,
    ...(writes.entropy === undefined ? [] : ['var row_entropy = 0.0;']),
    ...(writes.diagonal === undefined ? [] : ['var row_diagonal = 0.0;', 'let own_key = q_i + nk - nq;']),
    ...(segments === 0 ? [] : [`var segment_mass: array<f32, ${segments}>;`]),
    ...probeSetup,
  ];
  const keyBody = [
    'let p = exp(s - row_lse);',
    ...(writes.entropy === undefined ? [] : ['row_entropy -= p * (s - row_lse);']),
    ...(writes.diagonal === undefined ? [] : ['if (tile.k0 + j == own_key) {', '  row_diagonal = p;', '}']),
    ...(segments === 0
      ? []
      : [
          'var segment = 0;',
          ...starts
            .slice(1)
            .flatMap((start, index) => [`if (tile.k0 + j >= ${start}) {`, `  segment = ${index + 1};`, '}']),
          'segment_mass[segment] += p;',
        ]),
  ];
  const row = 'bh * nq + row';
  const stores = [
    ...(writes.entropy === undefined ? [] : [context.store(writes.entropy, row, 'row_entropy')]),
    ...(writes.diagonal === undefined ? [] : [context.store(writes.diagonal, row, 'row_diagonal')]),
    ...(segments === 0
      ? []
      : [
          `for (var seg_i = 0; seg_i < ${segments}; seg_i++) {`,
          `  ${context.store(writes.segmentMass!, `(${row}) * ${segments} + seg_i`, 'segment_mass[seg_i]')}`,
          '}',
        ]),
  ];
  const accumulates = writes.entropy !== undefined || writes.diagonal !== undefined || segments > 0;
  return {
    setup,
    tile: [...(accumulates ? eachKeptKey(keyBody) : []), ...probeTile],
    everyTile: probes.length > 0,
    stores,
  };
}
