import { type DimBindings, type Kernel, resolveDim } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { decodeOutputNorm } from '../linear/output-norm.js';
import { LINEAR_OUTPUT_NORM_OP } from '../linear/output-norm-op.js';
import { dimText, f32Literal, LINEAR_WORKGROUP, staticDim } from './linear-kernel-support.js';

const W = LINEAR_WORKGROUP;

/**
 * The `linearAttention.outputNorm` kernel: one invocation per normalized span (a position's H·d_v
 * entries, or one head's d_v), reading the `[B, H, N, d_v]` output with the head stride. The
 * statistics are `@weft/norms`' own: LayerNorm's mean corrected once (μ₀ + mean(x − μ₀)), squares
 * taken of x / max|x| when max|x| > 1 (no f32 overflow), RMS with ε inside or outside the root.
 */
export function generateLinearOutputNorm(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const node = kernel.anchor;
  const norm = decodeOutputNorm(node.attrs);
  const context = new KernelContext(kernel, profile, options);
  const x = node.inputs[0]!;
  const heads = staticDim(kernel, norm.block, 'output', x.shape[1]!, 1);
  const width = staticDim(kernel, norm.block, 'output', x.shape[3]!, 3);
  const batch = x.shape[0]!;
  const spanHeads = norm.across === 'heads' ? heads : 1;
  const count = spanHeads * width;
  const spansPerPosition = heads / spanHeads;
  // Entry e of the span: head h0 + e / d_v, column e % d_v.
  const at = (entry: string) =>
    `((b * ${heads} + h0 + ${entry} / ${width}) * n + t) * ${width} + ${entry} % ${width}`;
  const value = (entry: string) => context.load(x, at(entry));
  const eps = f32Literal(norm.epsilon);
  const body = [
    `let flat = i32(workgroup_index * ${W}u + local_index);`,
    `let n = ${dimText(context, x.shape[2]!)};`,
    `if (flat >= ${dimText(context, batch)} * n * ${spansPerPosition}) {`,
    '  return;',
    '}',
    `let h0 = (flat % ${spansPerPosition}) * ${spanHeads};`,
    `let t = (flat / ${spansPerPosition}) % n;`,
    `let b = flat / (${spansPerPosition} * n);`,
    ...(norm.kind === 'layer'
      ? [
          'var first = 0.0;',
          `for (var e = 0; e < ${count}; e++) {`,
          `  first += ${value('e')};`,
          '}',
          `first /= f32(${count});`,
          'var correction = 0.0;',
          `for (var e = 0; e < ${count}; e++) {`,
          `  correction += ${value('e')} - first;`,
          '}',
          `let mean = first + correction / f32(${count});`,
        ]
      : ['let mean = 0.0;']),
    'var largest = 0.0;',
    `for (var e = 0; e < ${count}; e++) {`,
    `  largest = max(largest, abs(${value('e')} - mean));`,
    '}',
    ...(norm.epsilonPlacement === 'outside'
      ? [
          // x / (s·√mean((x/s)²) + ε), s = max|x| (1 for an all-zero span).
          'let divisor = select(1.0, largest, largest > 0.0);',
          'var squares = 0.0;',
          `for (var e = 0; e < ${count}; e++) {`,
          `  let scaled = (${value('e')} - mean) / divisor;`,
          '  squares += scaled * scaled;',
          '}',
          `let inverse = 1.0 / (divisor * sqrt(squares / f32(${count})) + ${eps});`,
          `for (var e = 0; e < ${count}; e++) {`,
          `  let index = ${at('e')};`,
          `  ${context.store(node, 'index', `(${context.load(x, 'index')} - mean) * inverse`)}`,
          '}',
        ]
      : [
          // (x/s) / √(mean((x/s)²) + ε/s²) with s = max|x| when it exceeds 1; a zero root gives 0.
          'let divisor = select(1.0, largest, largest > 1.0);',
          'var squares = 0.0;',
          `for (var e = 0; e < ${count}; e++) {`,
          `  let scaled = (${value('e')} - mean) / divisor;`,
          '  squares += scaled * scaled;',
          '}',
          `let root = squares / f32(${count}) + ${eps} / divisor / divisor;`,
          'let inverse = select(0.0, inverseSqrt(root), root > 0.0);',
          `for (var e = 0; e < ${count}; e++) {`,
          `  let index = ${at('e')};`,
          `  ${context.store(node, 'index', `(${context.load(x, 'index')} - mean) / divisor * inverse`)}`,
          '}',
        ]),
  ];
  return context.build(LINEAR_OUTPUT_NORM_OP, {
    workgroupSize: [W, 1, 1],
    workgroupCount: (dims: DimBindings) =>
      Math.ceil((resolveDim(batch, dims) * resolveDim(x.shape[2]!, dims) * spansPerPosition) / W),
    functions: [],
    body,
  });
}
