// An op with its own kernel template, defined outside Weft's packages: the squared Euclidean
// distance between every row of x [N, D] and every row of y [M, D] (the kernel matrix of RBF and
// Gaussian-kernel attention). One file: the op value, its float64 reference, its decomposition
// into primitive ops (the unfused baseline and the f32 yardstick), and its WGSL template.
import {
  type Dim,
  DTypeError,
  emptyTensor64,
  indexVariable,
  type Kernel,
  makeNode,
  mul,
  type Node,
  type OpDef,
  reshape,
  resolveDim,
  ShapeError,
  sub,
  sum,
  type TensorType,
} from '@weft/ir';
import {
  type DeviceProfile,
  ElementComposer,
  type GeneratedKernel,
  type GenerateOptions,
  KernelContext,
  type KernelExtension,
} from '@weft/wgsl';

/** The op: operands `x [N, D]` and `y [M, D]`, result `[N, M]` with Σ_d (x_nd − y_md)². */
export const pairwiseDistanceOp: OpDef = {
  name: 'example.pairwiseSquaredDistance',
  arity: 2,
  fusion: 'opaque',
  infer([x, y]) {
    for (const [tensor, type] of [
      ['x', x!],
      ['y', y!],
    ] as const) {
      if (type.shape.length !== 2)
        throw new ShapeError(`pairwiseSquaredDistance: ${tensor} must be [rows, features]`, {
          tensor,
          expected: 'rank 2',
          actual: `rank ${type.shape.length}`,
        });
      if (type.dtype !== 'f32')
        throw new DTypeError(`pairwiseSquaredDistance: ${tensor} must be f32`, {
          tensor,
          expected: 'f32',
          actual: type.dtype,
        });
    }
    if (typeof x!.shape[1] !== 'number' || x!.shape[1] !== y!.shape[1])
      throw new ShapeError('pairwiseSquaredDistance: x and y must have the same static feature count', {
        tensor: 'y',
        dimension: 1,
        expected: String(x!.shape[1]),
        actual: String(y!.shape[1]),
      });
    return { shape: [x!.shape[0]!, y!.shape[0]!], dtype: 'f32' } satisfies TensorType;
  },
  evaluate([x, y]) {
    const [n, d] = x!.shape as [number, number];
    const m = y!.shape[0]!;
    const out = emptyTensor64([n, m], 'f32');
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let total = 0;
        for (let k = 0; k < d; k++) total += (x!.data[i * d + k]! - y!.data[j * d + k]!) ** 2;
        out.data[i * m + j] = total;
      }
    return out;
  },
  // x[N, 1, D] − y[1, M, D], squared, summed over D.
  decompose(node) {
    const [x, y] = node.inputs as [Node, Node];
    const difference = sub(
      reshape(x, [x.shape[0]!, 1, x.shape[1]!]),
      reshape(y, [1, y.shape[0]!, y.shape[1]!]),
    );
    return sum(mul(difference, difference), 2);
  },
  describe: (node) => `${String(node.inputs[0]!.shape[1])} features`,
};

/** Builds `pairwiseSquaredDistance(x, y)`. */
export function pairwiseSquaredDistance(x: Node, y: Node): Node {
  return makeNode(pairwiseDistanceOp, [x, y]);
}

/**
 * Its WGSL template: one invocation per output element, a loop over the features. Operand
 * elements come from the `ElementComposer` (a load of the kernel input at the element's index),
 * stores and bindings from the `KernelContext`.
 */
export function generatePairwiseDistance(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const context = new KernelContext(kernel, profile, options);
  const node = kernel.anchor;
  const [x, y] = node.inputs as [Node, Node];
  const composer = new ElementComposer(kernel);
  const [i, j, k] = [indexVariable('i'), indexVariable('j'), indexVariable('k')];
  const elements = context.render([composer.element(x, [i, k]), composer.element(y, [j, k])], {
    i: 'i',
    j: 'j',
    k: 'k',
  });
  // Row counts may be symbolic dims (`seq`): their values come from the `params` uniform.
  const [rows, columns] = node.shape as [Dim, Dim];
  const text = (dim: Dim) => (typeof dim === 'number' ? String(dim) : `i32(${context.dim(dim.name)})`);
  const width = Math.min(64, profile.limits.maxComputeInvocationsPerWorkgroup);
  return context.build('example.pairwiseSquaredDistance', {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) => Math.ceil((resolveDim(rows, dims) * resolveDim(columns, dims)) / width),
    body: [
      `let flat = i32(workgroup_index * ${width}u + local_index);`,
      `if (flat >= ${text(rows)} * ${text(columns)}) {`,
      '  return;',
      '}',
      `let i = flat / ${text(columns)};`,
      `let j = flat % ${text(columns)};`,
      'var total = 0.0;',
      `for (var k = 0; k < ${x.shape[1]}; k++) {`,
      ...elements.lines.map((line) => `  ${line}`),
      `  let difference = ${elements.values[0]} - ${elements.values[1]};`,
      '  total += difference * difference;',
      '}',
      context.store(node, 'flat', 'total'),
    ],
  });
}

/** The extension value: the op and its template, for `compile` and `graphFromJSON`. */
export const pairwiseDistance: KernelExtension = {
  name: 'example.pairwiseDistance',
  ops: [pairwiseDistanceOp],
  templates: { [pairwiseDistanceOp.name]: generatePairwiseDistance },
};
