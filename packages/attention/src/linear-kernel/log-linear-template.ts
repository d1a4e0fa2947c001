import { type Kernel, type Node, UnsupportedError } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { decodeLogLinear, LOG_LINEAR_OP } from '../linear/log-linear-op.js';
import { staticDim } from './linear-kernel-support.js';

/** Invocations per workgroup of the log-linear kernel. */
const W = 128;
/** Value columns per workgroup to start from: more workgroups per head, fewer outputs each. */
const START_SLICE = 8;

/** How the log-linear kernel splits its work. */
export interface LogLinearTiles {
  /** Positions per chunk (the op's chunk size, lowered until the tiles fit). */
  readonly chunk: number;
  /** Value columns per workgroup. */
  readonly valueSlice: number;
  /** Fenwick level states above a chunk: ⌈log2 ⌈N / chunk⌉⌉. */
  readonly stateLevels: number;
  /** Bytes of workgroup memory. */
  readonly bytes: number;
}

/** Level states a sweep of `length` positions in chunks of `chunk` keeps. */
function stateLevelsFor(length: number, chunk: number): number {
  const chunks = Math.ceil(length / chunk);
  return chunks > 1 ? Math.ceil(Math.log2(chunks)) : 0;
}

/**
 * The chunk and value slice: workgroup memory holds the level states (levels × d_k × slice), the
 * chunk's Q and K (chunk × d_k each), V (chunk × slice), its decay factors (2 × chunk), each
 * query's weights of the levels (chunk × levels) and the weighted scores (chunk × chunk). The slice halves first, then the chunk (which adds a level).
 */
export function logLinearTiles(
  profile: DeviceProfile,
  block: string,
  length: number,
  headDim: number,
  valueDim: number,
  requestedChunk: number,
): LogLinearTiles {
  const bytesFor = (chunk: number, slice: number) =>
    4 *
    (Math.max(1, stateLevelsFor(length, chunk)) * (headDim * slice + chunk) +
      2 * chunk * headDim +
      chunk * slice +
      2 * chunk +
      chunk * chunk);
  const limit = profile.limits.maxComputeWorkgroupStorageSize;
  let chunk = requestedChunk;
  let slice = Math.min(valueDim, START_SLICE);
  while (bytesFor(chunk, slice) > limit) {
    if (slice > 1) slice = Math.ceil(slice / 2);
    else if (chunk > 1) chunk /= 2;
    else
      throw new UnsupportedError(
        `log-linear attention "${block}": a head dim of ${headDim} does not fit workgroup memory`,
        { block, expected: `<= ${limit} bytes`, actual: `${bytesFor(1, 1)} bytes` },
      );
  }
  return {
    chunk,
    valueSlice: slice,
    stateLevels: stateLevelsFor(length, chunk),
    bytes: bytesFor(chunk, slice),
  };
}

/**
 * The fused `linearAttention.logLinear` kernel (log-linear attention, catalog paper 109): one
 * workgroup per (batch·head, slice of value columns) sweeps the chunks of C positions once.
 * Fenwick levels ≤ log2 C lie inside a chunk: the workgroup weighs the chunk's scores
 * P_ts = (q_t·k_s) λ_t^(ℓ(t,s)) e^(b_t − b_s) (s ≤ t, ℓ the bit length of t XOR s, b the chunk's
 * cumulative log decay) and multiplies them by V. Each higher level is one d_k × slice state per
 * aligned block of 2^m chunks, held in workgroup memory as of the chunk's start: query t adds
 * λ_t^(m+1+log2 C) e^(b_t) q_tᵀ S^m for every set bit m of the chunk index. After the chunk, the
 * states decay by e^(b_last) and merge by the Fenwick carry of the chunk index: the r trailing set
 * bits' states and the chunk's own Σ_s e^(b_last − b_s) k_s v_sᵀ become level r. Every exponent is
 * a sum of log decays ≤ 0, so no factor exceeds 1.
 */
export function generateLogLinear(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const node = kernel.anchor;
  const attrs = decodeLogLinear(node.attrs);
  const context = new KernelContext(kernel, profile, options);
  const [query, key, value, lambda] = node.inputs as [Node, Node, Node, Node];
  const decay = attrs.decayed ? node.inputs[4] : undefined;
  const dim = (operand: Node, tensor: string, axis: number) =>
    staticDim(kernel, attrs.block, tensor, operand.shape[axis]!, axis);
  const batchHeads = dim(query, 'query', 0) * dim(query, 'query', 1);
  const n = dim(query, 'query', 2);
  const dk = dim(query, 'query', 3);
  const dv = dim(value, 'value', 3);
  const levels = dim(lambda, 'levelWeights', 3);
  const tiles = logLinearTiles(profile, attrs.block, n, dk, dv, attrs.chunkSize);
  const { chunk: C, valueSlice: vs, stateLevels: M } = tiles;
  const slices = Math.ceil(dv / vs);
  const chunkBits = Math.log2(C);

  context.workgroupArray('states', 'f32', Math.max(1, M) * dk * vs);
  context.workgroupArray('query_tile', 'f32', C * dk);
  context.workgroupArray('key_tile', 'f32', C * dk);
  context.workgroupArray('value_tile', 'f32', C * vs);
  context.workgroupArray('log_decay', 'f32', C);
  context.workgroupArray('fold_decay', 'f32', C);
  context.workgroupArray('level_weight', 'f32', Math.max(1, M) * C);
  context.workgroupArray('scores', 'f32', C * C);

  const setup = [
    `let slice = i32(workgroup_index) % ${slices};`,
    `let bh = i32(workgroup_index) / ${slices};`,
    `if (bh >= ${batchHeads}) {`,
    '  return;',
    '}',
    'let li = i32(local_index);',
    `let j0 = slice * ${vs};`,
    `for (var e = li; e < ${Math.max(1, M) * dk * vs}; e += ${W}) {`,
    '  states[e] = 0.0;',
    '}',
  ];
  // Q_c, K_c, V_c (zeros past the end); per position t of the chunk, b_t = Σ_{u ≤ t} a_u, the fold's
  // e^(b_last − b_t) and the level weights λ_t^(m+1+log2 C) e^(b_t) of the set bits m of the chunk.
  const stage = [
    `for (var e = li; e < ${C * dk}; e += ${W}) {`,
    '  var q_e = 0.0;',
    '  var k_e = 0.0;',
    `  if (e / ${dk} < count) {`,
    `    q_e = ${context.load(query, `(bh * ${n} + c0) * ${dk} + e`)};`,
    `    k_e = ${context.load(key, `(bh * ${n} + c0) * ${dk} + e`)};`,
    '  }',
    '  query_tile[e] = q_e;',
    '  key_tile[e] = k_e;',
    '}',
    `for (var e = li; e < ${C * vs}; e += ${W}) {`,
    `  let j = j0 + e % ${vs};`,
    '  var element = 0.0;',
    `  if (e / ${vs} < count && j < ${dv}) {`,
    `    element = ${context.load(value, `(bh * ${n} + c0 + e / ${vs}) * ${dv} + j`)};`,
    '  }',
    '  value_tile[e] = element;',
    '}',
    `if (li < ${C}) {`,
    '  var running = 0.0;',
    '  var total = 0.0;',
    ...(decay === undefined
      ? []
      : [
          '  for (var u = 0; u < count; u++) {',
          `    let a_u = ${context.load(decay, `bh * ${n} + c0 + u`)};`,
          '    total += a_u;',
          '    if (u <= li) {',
          '      running += a_u;',
          '    }',
          '  }',
        ]),
    '  log_decay[li] = running;',
    '  fold_decay[li] = exp(total - running);',
    ...(M === 0
      ? []
      : [
          '  let carried = exp(running);',
          `  for (var m = 0; m < ${M}; m++) {`,
          '    var weight = 0.0;',
          '    if (li < count && ((c >> u32(m)) & 1u) == 1u) {',
          `      weight = carried * ${context.load(lambda, `(bh * ${n} + c0 + li) * ${levels} + m + ${chunkBits + 1}`)};`,
          '    }',
          `    level_weight[m * ${C} + li] = weight;`,
          '  }',
        ]),
    '}',
    'workgroupBarrier();',
  ];
  const lambdaAt = (t: string, level: string) =>
    context.load(lambda, `(bh * ${n} + c0 + ${t}) * ${levels} + ${level}`);
  // P_ts for s ≤ t < count, 0 elsewhere.
  const score = [
    `for (var e = li; e < ${C * C}; e += ${W}) {`,
    `  let t = e / ${C};`,
    `  let s = e % ${C};`,
    '  var weight = 0.0;',
    '  if (s <= t && t < count) {',
    '    var dot = 0.0;',
    `    for (var d = 0; d < ${dk}; d++) {`,
    `      dot += query_tile[t * ${dk} + d] * key_tile[s * ${dk} + d];`,
    '    }',
    '    let level = 32 - i32(countLeadingZeros(u32(t ^ s)));',
    `    weight = dot * ${lambdaAt('t', 'level')} * exp(log_decay[t] - log_decay[s]);`,
    '  }',
    '  scores[e] = weight;',
    '}',
    'workgroupBarrier();',
  ];
  // One output element (t, j): the chunk's weighted scores times V, plus each level state read.
  const output = [
    `for (var e = li; e < ${C * vs}; e += ${W}) {`,
    `  let t = e / ${vs};`,
    `  let j = e % ${vs};`,
    `  if (t < count && j0 + j < ${dv}) {`,
    '    var acc = 0.0;',
    '    for (var s = 0; s <= t; s++) {',
    `      acc += scores[t * ${C} + s] * value_tile[s * ${vs} + j];`,
    '    }',
    ...(M === 0
      ? []
      : [
          `    for (var m = 0; m < ${M}; m++) {`,
          '      if (((c >> u32(m)) & 1u) == 1u) {',
          '        var dot = 0.0;',
          `        for (var d = 0; d < ${dk}; d++) {`,
          `          dot += query_tile[t * ${dk} + d] * states[(m * ${dk} + d) * ${vs} + j];`,
          '        }',
          `        acc += dot * level_weight[m * ${C} + t];`,
          '      }',
          '    }',
        ]),
    `    ${context.store(node, `(bh * ${n} + c0 + t) * ${dv} + j0 + j`, 'acc')}`,
    '  }',
    '}',
    'workgroupBarrier();',
  ];
  // Decay every state to the next chunk's start, then the Fenwick carry of chunk index c.
  const fold = [
    `for (var e = li; e < ${dk * vs}; e += ${W}) {`,
    `  let d = e / ${vs};`,
    `  let j = e % ${vs};`,
    '  var merged = 0.0;',
    '  for (var s = 0; s < count; s++) {',
    `    merged += key_tile[s * ${dk} + d] * value_tile[s * ${vs} + j] * fold_decay[s];`,
    '  }',
    '  let total = exp(log_decay[count - 1]);',
    '  let carry = i32(countTrailingZeros(~c));',
    `  for (var m = 0; m < ${M}; m++) {`,
    `    let at = m * ${dk * vs} + e;`,
    '    if (m < carry) {',
    '      merged += total * states[at];',
    '      states[at] = 0.0;',
    '    } else if (m == carry) {',
    '      states[at] = merged;',
    '    } else {',
    '      states[at] *= total;',
    '    }',
    '  }',
    '}',
    'workgroupBarrier();',
  ];
  const indent = (lines: readonly string[]) => lines.map((line) => `  ${line}`);
  const chunks = Math.ceil(n / C);
  const sweep = [
    `for (var c = 0u; c < ${chunks}u; c++) {`,
    `  let c0 = i32(c) * ${C};`,
    `  let count = min(${C}, ${n} - c0);`,
    ...indent(stage),
    ...indent(score),
    ...indent(output),
    ...(M === 0 ? [] : [`  if (c + 1u < ${chunks}u) {`, ...indent(indent(fold)), '  }']),
    '}',
  ];
  return context.build(LOG_LINEAR_OP, {
    workgroupSize: [W, 1, 1],
    workgroupCount: () => batchHeads * slices,
    body: [...setup, 'workgroupBarrier();', ...sweep],
  });
}
