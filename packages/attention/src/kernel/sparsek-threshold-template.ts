import { type DimBindings, type Kernel, resolveDim } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { decodeSparseKThreshold, SPARSEK_THRESHOLD_OP } from '../op/sparsek-threshold-op.js';

/** Invocations per workgroup: one per prefix. */
const WORKGROUP = 64;

/**
 * The kernel of the SparseK threshold (`attention.sparseKThreshold`, catalog paper 86): one
 * invocation per prefix u_0 … u_i of a row. It brackets τ by [min − 1, max] of the prefix (the mass
 * Σ clip(u_j − τ, 0, 1) is i + 1 ≥ k at the low end, 0 at the high end) and bisects: each step one
 * pass over the prefix, until the mass at the low end is the largest ≥ k an f32 can hold (the
 * bracket's midpoint equals one of its ends) or `iterations` steps. Neighbouring invocations read
 * the same u_j at the same step, so the row is read from cache; every step is in registers (no
 * workgroup memory, no barrier), where graph ops take three kernels per step.
 */
export function generateSparseKThreshold(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const node = kernel.anchor;
  const { k, iterations } = decodeSparseKThreshold(node.attrs);
  const context = new KernelContext(kernel, profile, options);
  const scores = node.inputs[0]!;
  const length = scores.shape.at(-1)!;
  const n = typeof length === 'number' ? String(length) : `i32(${context.dim(length.name)})`;
  const rows = (dims: DimBindings) =>
    scores.shape.slice(0, -1).reduce<number>((total, dim) => total * resolveDim(dim, dims), 1);
  const rowCount = scores.shape
    .slice(0, -1)
    .map((dim) => (typeof dim === 'number' ? String(dim) : `i32(${context.dim(dim.name)})`));
  const u = (index: string) => context.load(scores, `row_base + ${index}`);
  const body = [
    `let n = ${n};`,
    `let flat = i32(workgroup_index) * ${WORKGROUP} + i32(local_index);`,
    `if (flat >= ${[...rowCount, 'n'].join(' * ')}) {`,
    '  return;',
    '}',
    'let i = flat % n;',
    'let row_base = flat - i;',
    `var low = ${u('0')};`,
    'var high = low;',
    'for (var j = 1; j <= i; j++) {',
    `  let value = ${u('j')};`,
    '  low = min(low, value);',
    '  high = max(high, value);',
    '}',
    '// At most k keys: τ = min − 1 keeps every clip at 1.',
    'low = low - 1.0;',
    `if (i + 1 > ${k}) {`,
    `  for (var step = 0; step < ${iterations}; step++) {`,
    '    let middle = 0.5 * (low + high);',
    '    if (middle <= low || middle >= high) {',
    '      break;',
    '    }',
    '    var mass = 0.0;',
    '    for (var j = 0; j <= i; j++) {',
    `      mass += clamp(${u('j')} - middle, 0.0, 1.0);`,
    '    }',
    `    if (mass >= ${k}.0) {`,
    '      low = middle;',
    '    } else {',
    '      high = middle;',
    '    }',
    '  }',
    '}',
    context.store(node, 'flat', 'low'),
  ];
  return context.build(SPARSEK_THRESHOLD_OP, {
    workgroupSize: [WORKGROUP, 1, 1],
    workgroupCount: (dims: DimBindings) => Math.ceil((rows(dims) * resolveDim(length, dims)) / WORKGROUP),
    functions: [],
    body,
  });
}
