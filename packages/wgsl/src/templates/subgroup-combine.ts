import { type DType, UnsupportedError } from '@weft/ir';

/** What {@link subgroupCombineLines} combines, and where. */
export interface SubgroupCombine {
  /** `sum`, `prod`, `max` or `min`. */
  readonly combine: string;
  /** The accumulator type. */
  readonly accumulator: DType;
  /** The invocation's partial (WGSL name). */
  readonly partial: string;
  /** The name of the combined value the lines declare. */
  readonly result: string;
  /** Workgroup array with one accumulator per invocation. */
  readonly scratch: string;
  /** WGSL text of the combine's identity. */
  readonly identity: string;
  /** This pass's first word in `subgroup_leaders`. */
  readonly firstWord: number;
  /** Words per pass in `subgroup_leaders` (one bit per invocation of the workgroup). */
  readonly words: number;
}

/**
 * WGSL combining every invocation's partial over the workgroup: a subgroup reduce, then one step
 * over the subgroups' results in workgroup memory. Subgroups may have any size and layout: each
 * subgroup's elected (lowest active) invocation stores its result at its own index and sets its bit
 * in `subgroup_leaders` (workgroup `atomic<u32>`s, zero at the start); after one barrier every
 * invocation combines the stored results in increasing index order, so the order of the sum is
 * the same on every run and no subgroup count or size is assumed.
 */
export function subgroupCombineLines(pass: SubgroupCombine): string[] {
  const { result, scratch, firstWord } = pass;
  const operation = { sum: 'subgroupAdd', prod: 'subgroupMul', max: 'subgroupMax', min: 'subgroupMin' }[
    pass.combine
  ];
  if (operation === undefined) {
    throw new UnsupportedError(
      `row reduction "${result}": no subgroup operation combines with ${pass.combine}`,
      {
        expected: 'sum, prod, max or min',
        actual: pass.combine,
      },
    );
  }
  return [
    `let subgroup_${result} = ${operation}(${pass.partial});`,
    'if (subgroupElect()) {',
    `  ${scratch}[local_index] = subgroup_${result};`,
    `  atomicOr(&subgroup_leaders[${firstWord}u + local_index / 32u], 1u << (local_index % 32u));`,
    '}',
    'workgroupBarrier();',
    `var ${result}: ${pass.accumulator} = ${pass.identity};`,
    `for (var word = 0u; word < ${pass.words}u; word++) {`,
    `  var leaders = atomicLoad(&subgroup_leaders[${firstWord}u + word]);`,
    '  while (leaders != 0u) {',
    '    let leader = word * 32u + firstTrailingBit(leaders);',
    `    ${result} = ${combineText(pass.combine, result, `${scratch}[leader]`)};`,
    '    leaders = leaders & (leaders - 1u);',
    '  }',
    '}',
    'workgroupBarrier();',
  ];
}

/** WGSL combining `a` and `b` with `combine` (`sum`, `prod`, or a builtin such as `max`). */
export function combineText(combine: string, a: string, b: string): string {
  switch (combine) {
    case 'sum':
      return `${a} + ${b}`;
    case 'prod':
      return `${a} * ${b}`;
    default:
      return `${combine}(${a}, ${b})`;
  }
}
