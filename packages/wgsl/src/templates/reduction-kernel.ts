import { type DType, type Expr, flatIndex, type Kernel, maxElementCount, UnsupportedError } from '@weft/ir';
import { powerOfTwoAtMost } from '../dispatch-grid.js';
import { describe, ElementComposer } from '../element-composer.js';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { KernelContext } from '../kernel-context.js';
import { accumulatorType, formatLiteral, wgslType } from '../wgsl-types.js';
import { analyzeReductions, type ReductionAnalysis, type ReductionStep } from './reduction-analysis.js';
import { combineText, subgroupCombineLines } from './subgroup-combine.js';
import {
  countFor,
  countText,
  indent,
  storeStatements,
  unflattenLines,
  variableNames,
  workgroupWidth,
} from './template-support.js';
import { balancedCombine, unrolledColumnLoop } from './unrolled-loop.js';

/** How a reduction kernel spreads its work. */
export interface ReductionStrategy {
  /**
   * `true`: one workgroup per row, the row's columns split over the invocations and combined in
   * workgroup memory (the `row` template). `false`: one invocation per row, looping over its
   * columns (the `reduce` template; the `row` template for short rows and on software adapters).
   */
  readonly cooperative: boolean;
  /** Combine with subgroup operations (cooperative only; needs the `subgroups` feature). */
  readonly subgroups: boolean;
  /**
   * Invocations per workgroup. Default: cooperative, the row length's next power of two up to the
   * device's width; otherwise the device's width (256 where allowed).
   */
  readonly width?: number;
  /**
   * Serial only: columns per loop iteration (default 1), each reduction pass accumulating them
   * into separate partials; argmax stays one column per iteration (first index wins ties).
   */
  readonly unroll?: number;
}

/**
 * Generates a reduction kernel: the kernel's reductions run in order over each row (each may use
 * the results of earlier ones, so variance is the two-pass mean of `(x − mean)²` and softmax's
 * sum is of `exp(x − max)`), accumulating floats in f32; then its per-row outputs are written
 * once and its per-element outputs once per column.
 */
export function generateReduction(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions,
  template: string,
  strategy: ReductionStrategy,
): GeneratedKernel {
  const analysis = analyzeReductions(kernel);
  const context = new KernelContext(kernel, profile, options);
  const width =
    strategy.width ??
    (strategy.cooperative
      ? Math.min(
          powerOfTwoAtMost(workgroupWidth(profile)),
          nextPowerOfTwo(maxElementCount(analysis.columnShape)),
        )
      : workgroupWidth(profile));
  const generator = new ReductionBodyWriter(kernel, context, analysis, strategy, width);
  const rowsShape = analysis.rowShape;
  return context.build(template, {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) =>
      strategy.cooperative ? countFor(rowsShape, dims) : Math.ceil(countFor(rowsShape, dims) / width),
    body: generator.body(),
    subgroups: strategy.cooperative && strategy.subgroups,
  });
}

class ReductionBodyWriter {
  private readonly composer: ElementComposer;
  private readonly variables: Record<string, string>;
  private readonly columns: string;
  private subgroupPasses = 0;
  private readonly scratchTypes = new Set<string>();

  constructor(
    private readonly kernel: Kernel,
    private readonly context: KernelContext,
    private readonly analysis: ReductionAnalysis,
    private readonly strategy: ReductionStrategy,
    private readonly width: number,
  ) {
    this.composer = new ElementComposer(
      kernel,
      new Map(analysis.steps.map((step) => [step.node, step.result])),
    );
    this.variables = {
      ...variableNames('r', analysis.rowShape.length),
      ...variableNames('c', analysis.columnShape.length),
      ...Object.fromEntries(analysis.steps.map((_, position) => [`stat${position}`, `stat${position}`])),
      zero: '0',
    };
    this.columns = countText(context, analysis.columnShape);
  }

  body(): string[] {
    const cooperative = this.strategy.cooperative;
    const lines = [
      cooperative
        ? 'let row = i32(workgroup_index);'
        : `let row = i32(workgroup_index * ${this.width}u + local_index);`,
      `if (row >= ${countText(this.context, this.analysis.rowShape)}) {`,
      '  return;',
      '}',
    ];
    const steps: string[] = [];
    this.analysis.steps.forEach((step, position) => {
      steps.push('', ...this.step(step, position));
    });
    steps.push('', ...this.outputs());
    // The row indices the steps and outputs read.
    lines.push(
      ...unflattenLines(this.context, 'row', this.analysis.rowShape, 'r', steps.join('\n')),
      ...steps,
    );
    this.declareWorkgroupMemory();
    return lines;
  }

  private step(step: ReductionStep, position: number): string[] {
    const element = this.composer.element(step.operand, this.analysis.fullIndex);
    const accumulator = accumulatorType(step.operand.dtype);
    const resultType = wgslType(step.node.dtype);
    const comment = `// ${step.fn} over the row (${describe(step.node)})`;
    if (step.fn === 'argmax') return [comment, ...this.argmax(element, accumulator, position)];
    if (step.fn === 'logsumexp') {
      const maximum = this.pass(element, accumulator, 'max', `max${position}`, (value) => value);
      // An infinite max is the result (as in the reference): a row of −∞ would give exp(−∞ − (−∞)) = NaN.
      const infinite = `abs(max${position}) > 3.4028234e38`;
      const shift = `shift${position}`;
      const sum = this.pass(
        element,
        accumulator,
        'sum',
        `sum${position}`,
        (value) => `exp(${value} - ${shift})`,
      );
      return [
        comment,
        ...maximum,
        `let ${shift} = select(max${position}, ${accumulator}(0.0), ${infinite});`,
        ...sum,
        `let stat${position}: ${resultType} = ${resultType}(select(${shift} + log(sum${position}), max${position}, ${infinite}));`,
      ];
    }
    const combine = step.fn === 'mean' ? 'sum' : step.fn;
    const total = `total${position}`;
    const lines = [comment, ...this.pass(element, accumulator, combine, total, (value) => value)];
    const finished = step.fn === 'mean' ? `${total} / ${accumulator}(${this.columns})` : total;
    const converted = resultType === accumulator ? finished : `${resultType}(${finished})`;
    lines.push(`let stat${position}: ${resultType} = ${converted};`);
    return lines;
  }

  /** One loop over the row's columns accumulating `transform(element)`, then the workgroup combine. */
  private pass(
    element: Expr,
    accumulator: DType,
    combine: string,
    result: string,
    transform: (value: string) => string,
  ): string[] {
    const rendered = this.context.render([element], this.variables);
    const partial = `partial_${result}`;
    const transformed = transform(cast(rendered.values[0]!, element.dtype, accumulator));
    // A long term is named first, so that the accumulating line stays short.
    const long = transformed.length > LONG_TERM;
    const termLines = [...rendered.lines, ...(long ? [`let term = ${transformed};`] : [])];
    const value = long ? 'term' : transformed;
    const readers = [...termLines, value].join('\n');
    const unroll = this.strategy.cooperative ? 1 : (this.strategy.unroll ?? 1);
    if (unroll > 1) {
      const lanes = Array.from({ length: unroll }, (_, lane) => `${partial}_${lane}`);
      return [
        ...lanes.map((lane) => `var ${lane}: ${accumulator} = ${this.identity(combine, accumulator)};`),
        ...unrolledColumnLoop(this.columns, unroll, (column, lane) => [
          ...unflattenLines(this.context, column, this.analysis.columnShape, 'c', readers),
          ...termLines,
          `${lanes[lane]!} = ${combineText(combine, lanes[lane]!, value)};`,
        ]),
        `let ${result} = ${balancedCombine(lanes, (a, b) => combineText(combine, a, b))};`,
      ];
    }
    const lines = [
      `var ${partial}: ${accumulator} = ${this.identity(combine, accumulator)};`,
      `${this.columnLoop()} {`,
      ...indent([
        ...unflattenLines(this.context, 'column', this.analysis.columnShape, 'c', readers),
        ...termLines,
      ]),
      `  ${partial} = ${combineText(combine, partial, value)};`,
      '}',
    ];
    if (!this.strategy.cooperative) return [...lines, `let ${result} = ${partial};`];
    if (this.strategy.subgroups)
      return [...lines, ...this.subgroupCombine(combine, accumulator, partial, result)];
    return [...lines, ...this.treeCombine(combine, accumulator, partial, result)];
  }

  private treeCombine(combine: string, accumulator: DType, partial: string, result: string): string[] {
    const scratch = this.scratch(accumulator);
    return [
      `${scratch}[local_index] = ${partial};`,
      'workgroupBarrier();',
      `for (var stride = ${Math.floor(this.width / 2)}u; stride > 0u; stride = stride / 2u) {`,
      '  if (local_index < stride) {',
      `    ${scratch}[local_index] = ${combineText(combine, `${scratch}[local_index]`, `${scratch}[local_index + stride]`)};`,
      '  }',
      '  workgroupBarrier();',
      '}',
      `let ${result} = ${scratch}[0];`,
      'workgroupBarrier();',
    ];
  }

  private subgroupCombine(combine: string, accumulator: DType, partial: string, result: string): string[] {
    return subgroupCombineLines({
      combine,
      accumulator,
      partial,
      result,
      scratch: this.scratch(accumulator),
      identity: this.identity(combine, accumulator),
      counter: this.subgroupPasses++,
    });
  }

  private argmax(element: Expr, accumulator: DType, position: number): string[] {
    const rendered = this.context.render([element], this.variables);
    const value = cast(rendered.values[0]!, element.dtype, accumulator);
    const best = `best${position}`;
    const bestIndex = `best_index${position}`;
    const lines = [
      `var ${best}: ${accumulator} = ${this.identity('max', accumulator)};`,
      `var ${bestIndex} = 2147483647;`,
      `${this.columnLoop()} {`,
      ...indent([
        ...unflattenLines(
          this.context,
          'column',
          this.analysis.columnShape,
          'c',
          [...rendered.lines, value].join('\n'),
        ),
        ...rendered.lines,
      ]),
      `  let candidate = ${value};`,
      `  if (candidate > ${best} || ${bestIndex} == 2147483647) {`,
      `    ${best} = candidate;`,
      `    ${bestIndex} = column;`,
      '  }',
      '}',
    ];
    if (this.strategy.cooperative) {
      const values = this.scratch(accumulator);
      const indices = this.scratch('index');
      lines.push(
        `${values}[local_index] = ${best};`,
        `${indices}[local_index] = ${bestIndex};`,
        'workgroupBarrier();',
        `for (var stride = ${Math.floor(this.width / 2)}u; stride > 0u; stride = stride / 2u) {`,
        '  if (local_index < stride) {',
        `    let other = ${values}[local_index + stride];`,
        `    let other_index = ${indices}[local_index + stride];`,
        `    let mine = ${values}[local_index];`,
        `    if (other > mine || (other == mine && other_index < ${indices}[local_index]) || ${indices}[local_index] == 2147483647) {`,
        `      ${values}[local_index] = other;`,
        `      ${indices}[local_index] = other_index;`,
        '    }',
        '  }',
        '  workgroupBarrier();',
        '}',
        `${bestIndex} = ${indices}[0];`,
        'workgroupBarrier();',
      );
    }
    lines.push(`let stat${position}: i32 = select(${bestIndex}, 0, ${bestIndex} == 2147483647);`);
    return lines;
  }

  private outputs(): string[] {
    const lines: string[] = [];
    const rowOutputs = this.analysis.outputs.filter((output) => output.kind === 'row');
    const elementOutputs = this.analysis.outputs.filter((output) => output.kind === 'element');
    if (rowOutputs.length > 0) {
      const roots = rowOutputs.flatMap((output) => [
        this.composer.element(output.node, output.index),
        flatIndex(output.index, output.node.shape),
      ]);
      const rendered = this.context.render(roots, this.variables, 'w');
      const stores = rowOutputs.flatMap((output, position) =>
        storeStatements(
          this.context,
          output.node,
          rendered.values[2 * position + 1]!,
          rendered.values[2 * position]!,
          `stored${position}`,
        ),
      );
      const statements = [...rendered.lines, ...stores];
      lines.push(
        ...(this.strategy.cooperative
          ? ['if (local_index == 0u) {', ...indent(statements), '}']
          : statements),
      );
    }
    if (elementOutputs.length > 0) {
      const roots = [
        ...elementOutputs.map((output) => this.composer.element(output.node, output.index)),
        flatIndex(this.analysis.fullIndex, this.analysis.inputShape),
      ];
      const rendered = this.context.render(roots, this.variables, 'e');
      const flat = rendered.values[roots.length - 1]!;
      const stores = [
        ...rendered.lines,
        `let flat = ${flat};`,
        ...elementOutputs.map((output, position) =>
          this.context.store(output.node, 'flat', rendered.values[position]!),
        ),
      ];
      const write = (column: string) => [
        ...unflattenLines(this.context, column, this.analysis.columnShape, 'c', stores.join('\n')),
        ...stores,
      ];
      const unroll = this.strategy.cooperative ? 1 : (this.strategy.unroll ?? 1);
      lines.push(
        ...(unroll > 1
          ? unrolledColumnLoop(this.columns, unroll, write)
          : [`${this.columnLoop()} {`, ...indent(write('column')), '}']),
      );
    }
    return lines;
  }

  private columnLoop(): string {
    return this.strategy.cooperative
      ? `for (var column = i32(local_index); column < ${this.columns}; column += ${this.width})`
      : `for (var column = 0; column < ${this.columns}; column++)`;
  }

  private identity(combine: string, accumulator: DType): string {
    const helpers = new Set<string>();
    const infinity = combine === 'max' ? -Infinity : Infinity;
    const limit = {
      i32: combine === 'max' ? -2147483648 : 2147483647,
      u32: combine === 'max' ? 0 : 4294967295,
    } as Record<string, number>;
    const value = combine === 'sum' ? 0 : combine === 'prod' ? 1 : (limit[accumulator] ?? infinity);
    const text = formatLiteral(value, accumulator, helpers);
    for (const helper of helpers) this.context.helpers.add(helper);
    return text;
  }

  private scratch(type: DType | 'index'): string {
    this.scratchTypes.add(type);
    return `scratch_${type}`;
  }

  private declareWorkgroupMemory(): void {
    const limit = this.context.profile.limits.maxComputeWorkgroupStorageSize;
    const bytes = this.scratchTypes.size * this.width * 4 + this.subgroupPasses * 4;
    if (bytes > limit) {
      throw new UnsupportedError(
        `kernel ${this.kernel.id}: reduction scratch exceeds the workgroup storage size`,
        {
          expected: `<= ${limit} bytes`,
          actual: `${bytes} bytes`,
        },
      );
    }
    for (const type of [...this.scratchTypes].sort()) {
      this.context.workgroupArray(`scratch_${type}`, type === 'index' ? 'i32' : (type as DType), this.width);
    }
    if (this.subgroupPasses > 0)
      this.context.workgroupArray('subgroup_slots', 'atomic<u32>', this.subgroupPasses);
  }
}

/** Characters beyond which an accumulated term is bound with `let term` first. */
const LONG_TERM = 64;

function cast(text: string, from: DType, to: DType): string {
  return from === to ? text : `${to}(${text})`;
}

function nextPowerOfTwo(value: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, value)));
}
