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
  /** The stores of the finished row (inside `if (row < nq)`). */
  readonly stores: readonly string[];
}

/** Whether the kernel writes any readout of the probabilities. */
export function writesReadouts(writes: AttentionWrites): boolean {
  return writes.entropy !== undefined || writes.diagonal !== undefined || writes.segmentMass !== undefined;
}

/**
 * The readout pass of the tiled kernel: once the normalizer's passes have the row's final
 * log-sum-exp, one more pass over the key tiles (keys only, no values) rescores each kept key and
 * folds p = exp(s − lse) into the requested readouts: the entropy −Σ p (s − lse) = −Σ p log p, the
 * weight on the query's own key j = i + Nk − Nq, and the mass of each key segment. Undefined when
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
  const setup = [
    `let row_lse = ${logSumExp};`,
    ...(writes.entropy === undefined ? [] : ['var row_entropy = 0.0;']),
    ...(writes.diagonal === undefined ? [] : ['var row_diagonal = 0.0;', 'let own_key = q_i + nk - nq;']),
    ...(segments === 0 ? [] : [`var segment_mass: array<f32, ${segments}>;`]),
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
  return { setup, tile: eachKeptKey(keyBody), stores };
}
