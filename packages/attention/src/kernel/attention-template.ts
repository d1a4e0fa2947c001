import { type Dim, type DimBindings, type Kernel, maxDim, resolveDim } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { decodeAttentionNode } from '../op/attention-node.js';
import { chooseAttentionStrategy } from './attention-strategy.js';
import { attentionWrites } from './attention-writes.js';
import { blockHeader } from './block-header.js';
import { blockedSoftmaxBody } from './blocked-softmax-kernel.js';
import { attentionRender } from './captured-reads.js';
import { buildKernel } from './kernel-assembly.js';
import { l1DistanceCode } from './l1-distance-code.js';
import { oneRowBody } from './one-row-kernel.js';
import { queryScoreFunctions } from './query-score-code.js';
import { onlineReadouts, writesReadouts } from './readout-code.js';
import { rowCode } from './row-code.js';
import { splitKeysKernel } from './split-keys-kernel.js';
import { tileFunctions } from './tile-code.js';
import { attentionTiles, sharedStagedReadLanes } from './tile-sizes.js';
import type { TiledKernelParts } from './tiled-kernel-parts.js';
import { KernelFunctions } from './wgsl-functions.js';

/**
 * The fused attention kernel (FlashAttention-2 style): one workgroup per (batch·head, block of
 * queries), one invocation per query row (plain softmax on a software adapter: several rows per
 * invocation, see `blockedSoftmaxCode`). Rows are prepared as they are loaded (`rowCode`):
 * weighted-GQA mixing of the KV heads, QK norm (one invocation per key row of a tile, since the
 * statistic needs the whole row) and RoPE. K and V tiles are staged in workgroup memory; every
 * invocation keeps its query row and output accumulator in registers and folds each tile into
 * the normalizer's running state (online softmax: running max, sum and rescaled accumulator;
 * sigmoid, ReLU² and l1 maps need no running max; α-entmax makes a max pass and bisection
 * passes over the keys before accumulating). Before each tile, invocation 0 classifies the
 * (query block, key tile) pair with the mask's block rule: empty tiles are skipped, full tiles run
 * without the predicate. Lengths come from the `params` uniform, so one pipeline serves every
 * length up to the maxima; no N×N buffer exists. Decoding shapes (few queries, many keys) run the
 * split-keys variant instead (see `chooseAttentionStrategy` and `splitKeysKernel`).
 */
export function generateAttention(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const node = kernel.anchor;
  const attrs = decodeAttentionNode(node);
  // Output, log-sum-exp and row max: whichever of them the graph asks for, written by this one pass.
  const writes = attentionWrites(kernel);
  const context = new KernelContext(kernel, profile, options);
  const [query, key] = node.inputs as [Kernel['anchor'], Kernel['anchor']];
  // A mask whose block rule reads a table (a block table, a tile table) may call most tiles empty:
  // the tiled kernel lists the non-empty ones before its loop instead of visiting every tile.
  const listed = attrs.maskListsTiles && attrs.maskEmpty !== null && attrs.maskFull !== null;
  const maxKeys = maxDim(key.shape[2]!);
  const {
    queryBlock,
    keyBlock,
    rowsPerInvocation: blockedRows,
  } = attentionTiles(profile, attrs.headDim, attrs.valueDim, listed ? maxKeys : undefined);
  const size = (dim: Dim): string =>
    typeof dim === 'number' ? String(dim) : `i32(${context.dim(dim.name)})`;
  const headDim = attrs.headDim;
  const valueDim = attrs.valueDim;

  const render = attentionRender(context, kernel);
  const score = render([attrs.score], 'score_');
  const mask = attrs.mask === null ? undefined : render([attrs.mask], 'mask_');
  const blockRule =
    attrs.maskEmpty === null || attrs.maskFull === null
      ? undefined
      : render([attrs.maskEmpty, attrs.maskFull], 'block_');

  // Readouts are folded into the tiled kernel's online pass (split keys would have to merge them).
  const strategy = writesReadouts(writes)
    ? ({ kind: 'tiled' } as const)
    : chooseAttentionStrategy(attrs, query.shape[2]!, key.shape[2]!, profile);
  // The per-workgroup values every variant starts from (lets of the entry; helpers read them via `Block`).
  const header = blockHeader({ attrs, query, key, queryBlock, keyBlock, size });
  const rowFunctions = new KernelFunctions([]);
  const rows = rowCode(context, attrs, node, rowFunctions);
  const distance = l1DistanceCode(attrs);

  if (strategy.kind === 'splitKeys') {
    const prologue = header.lets(rows.header, true);
    const functions = new KernelFunctions(header.declared(prologue), rowFunctions);
    const split = splitKeysKernel({
      context,
      attrs,
      query,
      key,
      writes,
      rows,
      score,
      mask,
      blockRule,
      render,
      splits: strategy.splits,
      functions,
    });
    return buildKernel(context, functions, prologue, split.body, {
      workgroupSize: split.workgroupSize,
      workgroupCount: split.workgroupCount,
    });
  }

  // Plain softmax may compute several query rows per invocation (see `blockedSoftmaxCode`).
  const rowsPerInvocation =
    attrs.normalizerDef.plainSoftmax?.(attrs.normalizer) === true &&
    writes.output !== undefined &&
    // Each row marks the probes it is in one bit of a u32 (see `blockedSoftmaxCode`).
    (writes.probeRows === undefined || attrs.probeRows!.length <= 32) &&
    distance.declare.length === 0 &&
    queryBlock % blockedRows === 0
      ? blockedRows
      : 1;
  const invocations = queryBlock / rowsPerInvocation;
  // Several rows per invocation read each staged row once for all of them; a subgroup of known size
  // reads it together too (one-row kernels keep their reads: their lanes are not a whole workgroup).
  const sharedReadLanes = rowsPerInvocation > 1 ? sharedStagedReadLanes(profile, invocations) : undefined;
  // Such lanes read K and V rows straight from their tensors unless a row needs its QK-norm
  // statistic first: no tile is staged (see `TileContext.directReads`).
  const directReads = sharedReadLanes !== undefined && !rows.needsWholeRow;
  const prologue = header.lets(rows.header, false);
  const functions = new KernelFunctions(header.declared(prologue), rowFunctions);
  // K rows are staged as vec4s (zero-padded past the head dim) so that each score is
  // `keyVectors` dot products with the query row's vec4s, all at constant indices.
  const keyVectors = Math.ceil(headDim / 4);
  // V rows likewise: `accumulate_value_tile` reads them a vec4 at a time.
  const valueVectors = Math.ceil(valueDim / 4);
  const half = context.half;
  if (!directReads) {
    context.workgroupArray('key_tile', half.half4, keyBlock * keyVectors);
    context.workgroupArray('value_tile', half.half4, keyBlock * valueVectors);
  }
  if (blockRule !== undefined) context.workgroupArray('tile_class', 'u32', 1);
  if (listed) context.workgroupArray('tile_list', 'u32', Math.ceil(maxKeys / keyBlock));

  const tiles = tileFunctions({
    functions,
    rows,
    blockRule,
    keyBlock,
    keyVectors,
    valueVectors,
    headDim,
    valueDim,
    invocations,
    listed,
    half,
    sharedReadLanes,
    directReads,
  });
  const queryScore = queryScoreFunctions({
    context,
    functions,
    rows,
    query,
    headDim,
    score,
    mask,
    distance,
    branchFreeMask: rowsPerInvocation > 1,
  });
  const listTiles = listed ? [`let listed_tiles = ${tiles.listTiles()};`] : [];
  const workgroupCount = (dims: DimBindings) =>
    resolveDim(query.shape[0]!, dims) *
    attrs.heads *
    Math.ceil(resolveDim(query.shape[2]!, dims) / queryBlock);
  // Readouts (softmax only): a sink (one-row kernel only) makes l_run differ from the keys' sum.
  const readouts = onlineReadouts(
    context,
    attrs,
    writes,
    attrs.normalizerDef.logSumExp === true,
    rowsPerInvocation === 1 && attrs.normalizerDef.plainSoftmax?.(attrs.normalizer) !== true,
  );
  const parts: TiledKernelParts = {
    context,
    profile,
    attrs,
    writes,
    functions,
    render,
    tiles,
    queryScore,
    blockRule,
    listed,
    listTiles,
    keyBlock,
    keyVectors,
    valueVectors,
    valueDim,
    invocations,
    readouts,
    sharedReadLanes,
  };
  const body = rowsPerInvocation > 1 ? blockedSoftmaxBody(parts, rowsPerInvocation) : oneRowBody(parts);
  return buildKernel(context, functions, prologue, body, {
    workgroupSize: [invocations, 1, 1],
    workgroupCount,
    ...(sharedReadLanes === undefined ? {} : { subgroups: true }),
  });
}
