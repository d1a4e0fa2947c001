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
  /** This pass's counter in `subgroup_slots`. */
  readonly counter: number;
}

/**
 * WGSL combining every invocation's partial over the workgroup: a subgroup reduce, then one step
 * over the subgroups' results in workgroup memory. Subgroups may have any size and layout: each
 * subgroup's elected invocation claims the next slot of `scratch` through the pass's counter in
 * `subgroup_slots` (a workgroup `atomic<u32>`, zero at the start) and stores its result there;
 * after one barrier every invocation combines the claimed slots. No subgroup count or size is
 * assumed. The slots are claimed in whatever order the subgroups arrive, so the order of the
 * final combine (and a sum's last bits) may differ between runs; a fixed order (leaders marking
 * bits of a mask, combined by increasing index) measured 1.36× the tree's time on SwiftShader
 * against 0.84–0.90× for this one.
 */
export function subgroupCombineLines(pass: SubgroupCombine): string[] {
  const { result, scratch } = pass;
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
  const counter = `subgroup_slots[${pass.counter}]`;
  return [
    `let subgroup_${result} = ${operation}(${pass.partial});`,
    'if (subgroupElect()) {',
    `  ${scratch}[atomicAdd(&${counter}, 1u)] = subgroup_${result};`,
    '}',
    'workgroupBarrier();',
    `var ${result}: ${pass.accumulator} = ${pass.identity};`,
    `for (var slot = 0u; slot < atomicLoad(&${counter}); slot++) {`,
    `  ${result} = ${combineText(pass.combine, result, `${scratch}[slot]`)};`,
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
