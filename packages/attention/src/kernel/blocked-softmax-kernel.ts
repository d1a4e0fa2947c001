import { blockedSoftmaxCode } from './blocked-softmax-code.js';
import { rowStatisticStore } from './row-epilogue-code.js';
import { keyPassCode, type TiledKernelParts } from './tiled-kernel-parts.js';
import { headRowOffset } from './view-offsets.js';

/**
 * The entry body of the tiled kernel with `rows` plain-softmax query rows per invocation (see
 * `blockedSoftmaxCode`): one loop over the key tiles, each scored and folded for every row, a few
 * keys at a time.
 */
export function blockedSoftmaxBody(parts: TiledKernelParts, rows: number): string[] {
  const { context, writes, valueDim } = parts;
  const output = writes.output!;
  const blocked = blockedSoftmaxCode({
    readouts: parts.readouts,
    widen4: (value) => context.half.widen4(value),
    functions: parts.functions,
    rows,
    invocations: parts.invocations,
    keyBlock: parts.keyBlock,
    keyVectors: parts.keyVectors,
    valueVectors: parts.valueVectors,
    valueDim,
    loadQueryRow: parts.queryScore.loadQueryRow,
    scoreKey: parts.queryScore.scoreKey,
    stagedKeyCall: parts.tiles.stagedKeyCall,
    valueRowReads: parts.tiles.valueRowReads,
    sharedReadLanes: parts.sharedReadLanes,
    store: (flat, value) => context.store(output, flat, value),
    outputRow: (row) => headRowOffset(context, output, row, valueDim),
    // Plain softmax has no sink: the running max m is the largest kept score wherever l > 0.
    rowStatistics: [
      ...(writes.logSumExp === undefined
        ? []
        : [rowStatisticStore(context, writes.logSumExp, 'select(-weft_inf(), m + log(l), l > 0.0)')]),
      ...(writes.rowMax === undefined
        ? []
        : [rowStatisticStore(context, writes.rowMax, 'select(-weft_inf(), m, l > 0.0)')]),
    ],
  });
  return [
    ...parts.listTiles,
    'let first_row = block_q0 + i32(local_index);',
    `${blocked.start};`,
    ...keyPassCode(parts)(true, [`${blocked.foldTile};`]),
    `${blocked.store};`,
  ];
}
