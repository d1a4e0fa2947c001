import { type Node, UnsupportedError } from '@weft/ir';
import type { KernelContext } from '@weft/wgsl';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import type { AttentionWrites } from './attention-writes.js';
import type { NormalizerCode } from './normalizer-code.js';
import type { OnlineReadouts, probeHelpers } from './readout-code.js';
import { headRowOffset } from './view-offsets.js';
import { indent, type KernelFunctions } from './wgsl-functions.js';

/** What {@link rowEpilogue} needs from the one-row kernel. */
export interface RowEpilogueContext {
  readonly context: KernelContext;
  readonly attrs: AttentionAttrs;
  readonly writes: AttentionWrites;
  readonly normalizer: NormalizerCode;
  /** The readouts' row helpers, when the row keeps readout state. */
  readonly rowReadouts: ReturnType<OnlineReadouts['rowHelpers']> | undefined;
  /** The probe helpers, when the kernel probes rows. */
  readonly probing: ReturnType<typeof probeHelpers> | undefined;
  /** Value head dim. */
  readonly valueDim: number;
}

/** The stores of a finished row of the one-row kernel (query row `row`, in range). */
export interface RowEpilogue {
  /** The normalizer's finish and the output row's store; empty when the kernel writes no output. */
  readonly outputStore: readonly string[];
  /** The stores of the row max, log-sum-exp, readouts and probes the kernel writes. */
  readonly rowStatistics: readonly string[];
}

/**
 * The one-row kernel's epilogue: the output row (the accumulator times the normalizer's output
 * scale) and the row statistics, from the state the passes leave (`acc`, `score_max`, `any_kept`,
 * the normalizer's, `row_readouts`, `probe_bits`).
 */
export function rowEpilogue(parts: RowEpilogueContext): RowEpilogue {
  const { context, attrs, writes, normalizer, rowReadouts, probing, valueDim } = parts;
  const outputStore =
    writes.output === undefined
      ? []
      : [
          `let out_flat = ${headRowOffset(context, writes.output, 'row', valueDim)};`,
          ...normalizer.finish,
          `for (var d = 0; d < ${valueDim}; d++) {`,
          `  ${context.store(writes.output, 'out_flat + d', `acc[d] * ${normalizer.outputScale}`)}`,
          '}',
        ];
  const rowStatistics = [
    ...(writes.rowMax === undefined
      ? []
      : [rowStatisticStore(context, writes.rowMax, 'select(-weft_inf(), score_max, any_kept)')]),
    ...(writes.logSumExp === undefined
      ? []
      : normalizer.logSumExp === undefined
        ? unsupportedLogSumExp(attrs)
        : [rowStatisticStore(context, writes.logSumExp, normalizer.logSumExp)]),
    ...(rowReadouts?.stores ?? []),
    ...(probing === undefined
      ? []
      : [
          'if (probe_bits != 0u) {',
          `  ${probing.finish({ bits: 'probe_bits', probe_lse: useInfinity(context, normalizer.logSumExp!) })};`,
          '}',
        ]),
  ];
  return { outputStore, rowStatistics };
}

/**
 * Ends `body` with a call of `store_output_row` (the plain store as a helper) instead of its
 * in-range block, when the normalizer has no finish statements: the entry then ends with that call
 * and the row statistics' stores.
 */
export function withOutputRowHelper(
  parts: RowEpilogueContext & { readonly functions: KernelFunctions },
  epilogue: RowEpilogue,
  body: string[],
): void {
  const { context, writes, normalizer, valueDim, functions } = parts;
  if (writes.output === undefined || normalizer.finish.length > 0) return;
  const storeRow = functions.define({
    name: 'store_output_row',
    comment: 'Stores query row `row` (when in range): its accumulator times `scale`.',
    params: [
      ['row', 'i32'],
      ['acc', `ptr<function, array<f32, ${valueDim}>>`],
      ['scale', 'f32'],
    ],
    body: [
      'if (row >= nq) {',
      '  return;',
      '}',
      `let out_flat = ${headRowOffset(context, writes.output, 'row', valueDim)};`,
      `for (var d = 0; d < ${valueDim}; d++) {`,
      `  ${context.store(writes.output, 'out_flat + d', '(*acc)[d] * scale')}`,
      '}',
    ],
  });
  const { rowStatistics } = epilogue;
  body.splice(
    body.lastIndexOf('if (row < nq) {'),
    Number.POSITIVE_INFINITY,
    `${storeRow({ acc: '&acc', scale: normalizer.outputScale })};`,
    ...(rowStatistics.length === 0 ? [] : ['if (row < nq) {', ...indent(rowStatistics, 1), '}']),
  );
}

/** WGSL statement storing row statistic `value` (which may call `weft_inf()`) of query row `row`. */
export function rowStatisticStore(context: KernelContext, tensor: Node, value: string): string {
  return context.store(tensor, 'bh * nq + row', useInfinity(context, value));
}

/** The error of a kernel asked for the log-sum-exp of a normalizer that has none. */
export function unsupportedLogSumExp(attrs: AttentionAttrs): never {
  throw new UnsupportedError(`attention "${attrs.block}": log-sum-exp exists for softmax only`, {
    block: attrs.block,
    expected: 'softmax',
    actual: attrs.normalizer.name,
  });
}

/** `text`, with the `weft_inf()` helper it may call added to the module. */
function useInfinity(context: KernelContext, text: string): string {
  context.helpers.add('weft_inf');
  return text;
}
