import { type Kernel, type Node, UnsupportedError } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { decodeLogLinear, LOG_LINEAR_OP } from '../linear/log-linear-op.js';
import { staticDim } from './linear-kernel-support.js';

/** Invocations per workgroup of the log-linear kernel. */
const W = 64;
/** Value columns per workgroup to start from: more workgroups per head, fewer outputs each. */
const START_SLICE = 8;
/** Value columns travel as vec4s: a slice is a multiple of 4 (columns past d_v are zeros). */
const LANES = 4;
/** Queries per invocation of the output step (each state read serves them all). */
const QUERY_GROUP = 4;
/**
 * The largest chunk the kernel sweeps, whatever the op asks (the result does not depend on it):
 * a chunk's scores cost C/2 dot products per position and every value slice recomputes them,
 * while a halving of C adds one level state per query; 16 is the fastest balance measured
 * (`bench:linear`). Above it the slice would shrink first, as a narrower slice adds workgroups
 * that each recompute the chunk's scores.
 */
const PREFERRED_CHUNK = 16;
/** The components of a vec4, one state row each in the fold. */
const COMPONENTS = ['x', 'y', 'z', 'w'] as const;

/** How the log-linear kernel splits its work. */
export interface LogLinearTiles {
  /** Positions per chunk (the op's chunk size capped at 16, lowered until the tiles fit). */
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
 * query's weights of the levels (chunk × levels) and the weighted scores (chunk × chunk). The
 * chunk starts at min(requested, 16) (the fastest sweep; the IR form keeps the requested chunk),
 * then the slice halves (a multiple of 4, from min(d_v, 8) rounded up) down to 4, then the chunk
 * (each halving of the chunk adds at most one level).
 */
export function logLinearTiles(
  profile: DeviceProfile,
  block: string,
  length: number,
  headDim: number,
  valueDim: number,
  requestedChunk: number,
): LogLinearTiles {
  const padded = Math.ceil(headDim / LANES) * LANES;
  const bytesFor = (chunk: number, slice: number) =>
    4 *
    (Math.max(1, stateLevelsFor(length, chunk)) * (padded * slice + chunk) +
      2 * chunk * padded +
      chunk * slice +
      2 * chunk +
      chunk * chunk);
  const limit = profile.limits.maxComputeWorkgroupStorageSize;
  let chunk = Math.min(requestedChunk, PREFERRED_CHUNK);
  let slice = Math.ceil(Math.min(valueDim, START_SLICE) / LANES) * LANES;
  while (bytesFor(chunk, slice) > limit) {
    if (slice > LANES) slice = Math.ceil(slice / 2 / LANES) * LANES;
    else if (chunk > 1) chunk /= 2;
    else
      throw new UnsupportedError(
        `log-linear attention "${block}": a head dim of ${headDim} over ${length} positions does not fit workgroup memory`,
        { block, expected: `<= ${limit} bytes`, actual: `${bytesFor(1, LANES)} bytes` },
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
  const vq = vs / LANES;
  // Q and K rows travel as vec4s too, d_k padded to a multiple of 4 with zeros (so are the states' rows).
  const dq = Math.ceil(dk / LANES);
  const dkPad = dq * LANES;
  const chunkBits = Math.log2(C);

  context.workgroupArray('states', 'vec4<f32>', Math.max(1, M) * dkPad * vq);
  context.workgroupArray('query_tile', 'vec4<f32>', C * dq);
  context.workgroupArray('key_tile', 'vec4<f32>', C * dq);
  context.workgroupArray('value_tile', 'vec4<f32>', C * vq);
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
    `for (var e = li; e < ${Math.max(1, M) * dkPad * vq}; e += ${W}) {`,
    '  states[e] = vec4<f32>();',
    '}',
    // The score step writes only s ≤ t: the upper triangle stays zero for every chunk.
    `for (var e = li; e < ${C * C}; e += ${W}) {`,
    '  scores[e] = 0.0;',
    '}',
  ];
  // Q_c, K_c, V_c (zeros past the end); per position t of the chunk, b_t = Σ_{u ≤ t} a_u, the fold's
  // e^(b_last − b_t) and the level weights λ_t^(m+1+log2 C) e^(b_t) of the set bits m of the chunk.
  const stage = [
    `for (var e = li; e < ${C * dq}; e += ${W}) {`,
    `  let d = e % ${dq} * ${LANES};`,
    `  let row = (bh * ${n} + c0 + e / ${dq}) * ${dk};`,
    '  var q_e = vec4<f32>();',
    '  var k_e = vec4<f32>();',
    `  for (var lane = 0; lane < ${LANES}; lane++) {`,
    `    if (e / ${dq} < count && d + lane < ${dk}) {`,
    `      q_e[lane] = ${context.load(query, 'row + d + lane')};`,
    `      k_e[lane] = ${context.load(key, 'row + d + lane')};`,
    '    }',
    '  }',
    '  query_tile[e] = q_e;',
    '  key_tile[e] = k_e;',
    '}',
    `for (var e = li; e < ${C * vq}; e += ${W}) {`,
    `  let j = j0 + e % ${vq} * ${LANES};`,
    `  let row = (bh * ${n} + c0 + e / ${vq}) * ${dv};`,
    '  var element = vec4<f32>();',
    `  for (var lane = 0; lane < ${LANES}; lane++) {`,
    `    if (e / ${vq} < count && j + lane < ${dv}) {`,
    `      element[lane] = ${context.load(value, 'row + j + lane')};`,
    '    }',
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
  // P_ts for s ≤ t < count, 0 for t ≥ count. Only the C(C+1)/2 lower-triangle items run: item e
  // of row pair p = e / (C+1) is (p, r) for r = e % (C+1) ≤ p, else (C−1−p, r−p−1).
  const score = [
    `for (var e = li; e < ${(C * (C + 1)) / 2}; e += ${W}) {`,
    `  let p = e / ${C + 1};`,
    `  let r = e % ${C + 1};`,
    `  let t = select(${C - 1} - p, p, r <= p);`,
    '  let s = select(r - p - 1, r, r <= p);',
    '  var weight = 0.0;',
    '  if (t < count) {',
    '    var qk = 0.0;',
    `    for (var d = 0; d < ${dq}; d++) {`,
    `      qk += dot(query_tile[t * ${dq} + d], key_tile[s * ${dq} + d]);`,
    '    }',
    '    let level = 32 - i32(countLeadingZeros(u32(t ^ s)));',
    `    weight = qk * ${lambdaAt('t', 'level')} * exp(log_decay[t] - log_decay[s]);`,
    '  }',
    `  scores[t * ${C} + s] = weight;`,
    '}',
    'workgroupBarrier();',
  ];
  // One output element (t, j): the chunk's weighted scores times V, plus each level state read.
  // G queries × 4 value columns per item: each state vec4 read serves G queries.
  const G = Math.min(QUERY_GROUP, C);
  const each = (line: (i: number) => string) => Array.from({ length: G }, (_, i) => line(i));
  const output = [
    `for (var e = li; e < ${(C / G) * vq}; e += ${W}) {`,
    `  let t0 = e / ${vq} * ${G};`,
    `  let jq = e % ${vq};`,
    '  if (t0 < count) {',
    ...each((i) => `    var acc_${i} = vec4<f32>();`),
    `    for (var s = 0; s < min(t0 + ${G}, count); s++) {`,
    `      let v_s = value_tile[s * ${vq} + jq];`,
    ...each((i) => `      acc_${i} += scores[(t0 + ${i}) * ${C} + s] * v_s;`),
    '    }',
    ...(M === 0
      ? []
      : [
          // Only the set bits of the chunk index: a loop of popcount(c) steps, not M masked ones.
          '    var bits = c;',
          '    while (bits != 0u) {',
          '      let m = i32(countTrailingZeros(bits));',
          '      bits &= bits - 1u;',
          ...each((i) => `      var read_${i} = vec4<f32>();`),
          `      for (var d = 0; d < ${dq}; d++) {`,
          `        let at = (m * ${dkPad} + d * ${LANES}) * ${vq} + jq;`,
          '        let s_x = states[at];',
          `        let s_y = states[at + ${vq}];`,
          `        let s_z = states[at + ${2 * vq}];`,
          `        let s_w = states[at + ${3 * vq}];`,
          ...each((i) => `        let q_${i} = query_tile[(t0 + ${i}) * ${dq} + d];`),
          ...each(
            (i) => `        read_${i} += q_${i}.x * s_x + q_${i}.y * s_y + q_${i}.z * s_z + q_${i}.w * s_w;`,
          ),
          '      }',
          ...each((i) => `      acc_${i} += read_${i} * level_weight[m * ${C} + t0 + ${i}];`),
          '    }',
        ]),
    `    let j = j0 + jq * ${LANES};`,
    ...each((i) =>
      [
        `    if (t0 + ${i} < count) {`,
        `      for (var lane = 0; lane < ${LANES}; lane++) {`,
        `        if (j + lane < ${dv}) {`,
        `          ${context.store(node, `(bh * ${n} + c0 + t0 + ${i}) * ${dv} + j + lane`, `acc_${i}[lane]`)}`,
        '        }',
        '      }',
        '    }',
      ].join('\n'),
    ).flatMap((block) => block.split('\n')),
    '  }',
    '}',
    'workgroupBarrier();',
  ];
  // Decay every state to the next chunk's start, then the Fenwick carry of chunk index c.
  // One item per (4 state rows, 4 value columns): each K vec4 and V vec4 read serves 16 products.
  const fold = [
    `for (var e = li; e < ${dq * vq}; e += ${W}) {`,
    `  let dg = e / ${vq};`,
    `  let jq = e % ${vq};`,
    ...COMPONENTS.map((x) => `  var merged_${x} = vec4<f32>();`),
    '  for (var s = 0; s < count; s++) {',
    `    let k_s = key_tile[s * ${dq} + dg] * fold_decay[s];`,
    `    let v_s = value_tile[s * ${vq} + jq];`,
    ...COMPONENTS.map((x) => `    merged_${x} += k_s.${x} * v_s;`),
    '  }',
    '  let total = exp(log_decay[count - 1]);',
    '  let carry = i32(countTrailingZeros(~c));',
    `  for (var m = 0; m < ${M}; m++) {`,
    ...COMPONENTS.flatMap((x, row) => [
      `    let at_${x} = (m * ${dkPad} + dg * ${LANES} + ${row}) * ${vq} + jq;`,
      '    if (m < carry) {',
      `      merged_${x} += total * states[at_${x}];`,
      `      states[at_${x}] = vec4<f32>();`,
      '    } else if (m == carry) {',
      `      states[at_${x}] = merged_${x};`,
      '    } else {',
      `      states[at_${x}] *= total;`,
      '    }',
    ]),
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
