import { type Kernel, type Node, UnsupportedError } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { decodeLogLinear, LOG_LINEAR_OP } from '../linear/log-linear-op.js';
import { staticDim } from './linear-kernel-support.js';

/**
 * Invocations per workgroup: 64 on a GPU; 16 on a software adapter, where a workgroup runs on one
 * CPU thread and each of the sweep's four barriers per chunk switches between all its invocations
 * (16 measured ~1.2× faster than 64 on SwiftShader, `bench:linear`).
 */
const workgroupWidth = (profile: DeviceProfile) => (profile.software === true ? 16 : 64);
/**
 * Value columns per workgroup to start from on a GPU: more workgroups per head, fewer outputs each.
 * A software adapter starts from all of d_v (its few CPU threads need few workgroups, and each
 * slice recomputes the chunk's scores).
 */
const START_SLICE = 8;
/** Value columns travel as vec4s: a slice is a multiple of 4 (columns past d_v are zeros). */
const LANES = 4;
/**
 * Queries per item of the output step (each state read serves them all): 8 on a software adapter,
 * where every workgroup read is a per-lane load and sharing it between more queries pays (8 measured
 * ~1.1× faster than 4 at N = 2048 on SwiftShader, `bench:linear`); 4 on a GPU.
 */
const queryGroup = (profile: DeviceProfile) => (profile.software === true ? 8 : 4);
/**
 * The largest chunk the kernel sweeps, whatever the op asks (the result does not depend on it):
 * a chunk's scores cost C/2 dot products per position and every value slice recomputes them,
 * while a halving of C adds one level state per query; 16 is the fastest balance measured
 * (`bench:linear`; re-measured on SwiftShader with d-major Q and K: 8 and 32 no faster at
 * N = 512 and 2048). Above it the slice would shrink first, as a narrower slice adds workgroups
 * that each recompute the chunk's scores.
 */
const PREFERRED_CHUNK = 16;
/** The components of a vec4, one value column each. */
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
 * chunk's Q and K (chunk × d_k each), V and V times the fold's decay (chunk × slice each), its
 * decay factors (2 × chunk), each query's weights of the levels (chunk × levels) and the weighted
 * scores (chunk × chunk). The
 * chunk starts at min(requested, 16) (the fastest sweep; the IR form keeps the requested chunk),
 * then the slice halves (a multiple of 4, from min(d_v, 8) rounded up, from d_v on a software adapter) down to 4, then the chunk
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
      2 * Math.max(chunk, LANES) * padded +
      2 * chunk * slice +
      2 * chunk +
      chunk * chunk);
  const limit = profile.limits.maxComputeWorkgroupStorageSize;
  let chunk = Math.min(requestedChunk, PREFERRED_CHUNK);
  const start = profile.software === true ? valueDim : Math.min(valueDim, START_SLICE);
  let slice = Math.ceil(start / LANES) * LANES;
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
 *
 * Layouts are chosen so that neighbouring invocations read either the same workgroup element (one
 * broadcast) or consecutive f32s (one vector load on SwiftShader, no bank conflict on a GPU), never
 * a strided vec4 (a per-lane gather on SwiftShader): Q and K are staged d-major (the score step
 * multiplies 4 × 4 blocks, the output step reads 8 or 4 queries per state row), V as vec4 rows
 * shared by a step's invocations, the scores s-major and each level state d-fastest, so the fold's
 * invocations walk d in 4 × 4 items.
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
  const W = workgroupWidth(profile);
  const slices = Math.ceil(dv / vs);
  const vq = vs / LANES;
  // Staged K rows and state columns have d_k padded to a multiple of 4 with zeros.
  const dq = Math.ceil(dk / LANES);
  const dkPad = dq * LANES;
  const chunkBits = Math.log2(C);

  // states[(m · slice + j) · d_kPad + d]: level m, value column j of the slice, key row d.
  context.workgroupArray('states', 'f32', Math.max(1, M) * vs * dkPad);
  // Q and K staged d-major, rows of CP ≥ 4 positions (the score step reads 4 at a time; zeros past C).
  const CP = Math.max(C, LANES);
  context.workgroupArray('query_columns', 'f32', dkPad * CP);
  context.workgroupArray('key_columns', 'f32', dkPad * CP);
  context.workgroupArray('value_tile', 'vec4<f32>', C * vq);
  // V's rows times the fold's decay e^(b_last − b_s): what the fold adds to the states.
  context.workgroupArray('folded_values', 'vec4<f32>', C * vq);
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
    `for (var e = li; e < ${Math.max(1, M) * vs * dkPad}; e += ${W}) {`,
    '  states[e] = 0.0;',
    '}',
    `for (var e = li; e < ${dkPad * CP}; e += ${W}) {`,
    '  query_columns[e] = 0.0;',
    '  key_columns[e] = 0.0;',
    '}',
  ];
  // Q_c (transposed), K_c, V_c (zeros past the end); per position t of the chunk, b_t = Σ_{u ≤ t} a_u,
  // the fold's e^(b_last − b_t) and the level weights λ_t^(m+1+log2 C) e^(b_t) of the set bits m of c.
  const stage = [
    `for (var e = li; e < ${C * dk}; e += ${W}) {`,
    `  let t = e / ${dk};`,
    `  let d = e % ${dk};`,
    '  var q_e = 0.0;',
    '  var k_e = 0.0;',
    '  if (t < count) {',
    `    let at = (bh * ${n} + c0) * ${dk} + e;`,
    `    q_e = ${context.load(query, 'at')};`,
    `    k_e = ${context.load(key, 'at')};`,
    '  }',
    `  query_columns[d * ${CP} + t] = q_e;`,
    `  key_columns[d * ${CP} + t] = k_e;`,
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
    // A loop, not `if (li < C)`: a software adapter's workgroup may be narrower than the chunk.
    `for (var t = li; t < ${C}; t += ${W}) {`,
    '  var running = 0.0;',
    '  var total = 0.0;',
    ...(decay === undefined
      ? []
      : [
          '  for (var u = 0; u < count; u++) {',
          `    let a_u = ${context.load(decay, `bh * ${n} + c0 + u`)};`,
          '    total += a_u;',
          '    if (u <= t) {',
          '      running += a_u;',
          '    }',
          '  }',
        ]),
    '  log_decay[t] = running;',
    '  fold_decay[t] = exp(total - running);',
    ...(M === 0
      ? []
      : [
          '  let carried = exp(running);',
          `  for (var m = 0; m < ${M}; m++) {`,
          '    var weight = 0.0;',
          '    if (t < count && ((c >> u32(m)) & 1u) == 1u) {',
          `      weight = carried * ${context.load(lambda, `(bh * ${n} + c0 + t) * ${levels} + m + ${chunkBits + 1}`)};`,
          '    }',
          `    level_weight[m * ${C} + t] = weight;`,
          '  }',
        ]),
    '}',
    'workgroupBarrier();',
  ];
  const lambdaAt = (t: string, level: string) =>
    context.load(lambda, `(bh * ${n} + c0 + ${t}) * ${levels} + ${level}`);
  // scores[s · C + t] = P_ts for s ≤ t < count, 0 elsewhere (rewritten every chunk). Neighbouring
  // invocations take neighbouring t of one s: the Q column read is consecutive, the K read shared.
  const score = [
    `for (var e = li; e < ${C * vq}; e += ${W}) {`,
    `  folded_values[e] = value_tile[e] * fold_decay[e / ${vq}];`,
    '}',
    // 4 × 4 blocks (t = 4·tb + r, s = 4·sb + x) on and below the diagonal: each Q and K read
    // serves four products.
    `for (var e = li; e < ${(CP / LANES) ** 2}; e += ${W}) {`,
    `  let tb = e % ${CP / LANES};`,
    `  let sb = e / ${CP / LANES};`,
    ...COMPONENTS.map((x) => `  var qk_${x} = vec4<f32>();`),
    '  if (sb <= tb) {',
    `    for (var d = 0; d < ${dk}; d++) {`,
    `      let q_at = d * ${CP} + tb * ${LANES};`,
    `      let k_at = d * ${CP} + sb * ${LANES};`,
    '      let k_d = vec4<f32>(',
    ...COMPONENTS.map((_, x) => `        key_columns[k_at + ${x}]${x < LANES - 1 ? ',' : ''}`),
    '      );',
    ...COMPONENTS.map((x, r) => `      qk_${x} += query_columns[q_at + ${r}] * k_d;`),
    '    }',
    '  }',
    ...COMPONENTS.flatMap((x, r) => [
      `  let t_${x} = tb * ${LANES} + ${r};`,
      `  for (var lane = 0; lane < ${LANES}; lane++) {`,
      `    let s = sb * ${LANES} + lane;`,
      `    if (s < ${C} && t_${x} < ${C}) {`,
      '      var weight = 0.0;',
      `      if (s <= t_${x} && t_${x} < count) {`,
      `        let level = 32 - i32(countLeadingZeros(u32(t_${x} ^ s)));`,
      `        weight = qk_${x}[lane] * ${lambdaAt(`t_${x}`, 'level')} * exp(log_decay[t_${x}] - log_decay[s]);`,
      '      }',
      `      scores[s * ${C} + t_${x}] = weight;`,
      '    }',
      '  }',
    ]),
    '}',
    'workgroupBarrier();',
  ];
  // G queries t = tq + i · C/G × 4 value columns per item, neighbouring items taking neighbouring
  // tq of one column group: each V and state read is shared, each Q and score read consecutive.
  const G = Math.min(queryGroup(profile), C);
  const stride = C / G;
  const each = (line: (i: number) => string) => Array.from({ length: G }, (_, i) => line(i));
  const at = (i: number) => (i === 0 ? 'tq' : `tq + ${i * stride}`);
  const output = [
    `for (var e = li; e < ${stride * vq}; e += ${W}) {`,
    `  let tq = e % ${stride};`,
    `  let jq = e / ${stride};`,
    '  if (tq < count) {',
    ...each((i) => `    var acc_${i} = vec4<f32>();`),
    '    for (var s = 0; s < count; s++) {',
    `      let v_s = value_tile[s * ${vq} + jq];`,
    ...each((i) => `      acc_${i} += scores[s * ${C} + ${at(i)}] * v_s;`),
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
          `      let column = (m * ${vs} + jq * ${LANES}) * ${dkPad};`,
          `      for (var d = 0; d < ${dk}; d++) {`,
          '        let row = vec4<f32>(',
          ...COMPONENTS.map(
            (_, lane) => `          states[column + ${lane * dkPad} + d]${lane < LANES - 1 ? ',' : ''}`,
          ),
          '        );',
          ...each((i) => `        read_${i} += query_columns[d * ${CP} + ${at(i)}] * row;`),
          '      }',
          ...each((i) => `      acc_${i} += read_${i} * level_weight[m * ${C} + ${at(i)}];`),
          '    }',
        ]),
    `    let j = j0 + jq * ${LANES};`,
    ...each((i) =>
      [
        `    if (${at(i)} < count) {`,
        `      for (var lane = 0; lane < ${LANES}; lane++) {`,
        `        if (j + lane < ${dv}) {`,
        `          ${context.store(node, `(bh * ${n} + c0 + ${at(i)}) * ${dv} + j + lane`, `acc_${i}[lane]`)}`,
        '        }',
        '      }',
        '    }',
      ].join('\n'),
    ).flatMap((block) => block.split('\n')),
    '  }',
    '}',
    'workgroupBarrier();',
  ];
  // Decay every state to the next chunk's start, then the Fenwick carry of chunk index c. One item
  // per (key row d, 4 value columns), neighbouring items taking neighbouring d.
  const fold = [
    `for (var e = li; e < ${dq * vq}; e += ${W}) {`,
    `  let dg = e % ${dq};`,
    `  let jq = e / ${dq};`,
    ...COMPONENTS.map((x) => `  var merged_${x} = vec4<f32>();`),
    '  for (var s = 0; s < count; s++) {',
    '    let k_s = vec4<f32>(',
    ...COMPONENTS.map(
      (_, r) => `      key_columns[(dg * ${LANES} + ${r}) * ${CP} + s]${r < LANES - 1 ? ',' : ''}`,
    ),
    '    );',
    `    let v_s = folded_values[s * ${vq} + jq];`,
    ...COMPONENTS.map((x) => `    merged_${x} += v_s.${x} * k_s;`),
    '  }',
    '  let total = exp(log_decay[count - 1]);',
    '  let carry = i32(countTrailingZeros(~c));',
    `  for (var m = 0; m < ${M}; m++) {`,
    // merged_x holds value column x of the slice's 4-column group for key rows 4·dg … 4·dg + 3.
    ...COMPONENTS.flatMap((x, lane) => [
      `    let at_${x} = (m * ${vs} + jq * ${LANES} + ${lane}) * ${dkPad} + dg * ${LANES};`,
      `    let old_${x} = vec4<f32>(states[at_${x}], states[at_${x} + 1], states[at_${x} + 2], states[at_${x} + 3]);`,
      `    var new_${x} = old_${x} * total;`,
      '    if (m < carry) {',
      `      merged_${x} += new_${x};`,
      `      new_${x} = vec4<f32>();`,
      '    } else if (m == carry) {',
      `      new_${x} = merged_${x};`,
      '    }',
      ...COMPONENTS.map((_, r) => `    states[at_${x} + ${r}] = new_${x}[${r}];`),
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
