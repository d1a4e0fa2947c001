import { type DimBindings, type Graph, interpret, type Tensor64 } from '@weft/ir';
import { type CloseReport, expectClose } from '@weft/ir/test';
import { type CompileOptions, compile } from '../program/compile.js';
import type { Program } from '../program/program.js';

/** Options of {@link expectMatchesReference}. */
export interface ReferenceCheckOptions {
  /** Run-time inputs by name. */
  readonly inputs: Readonly<Record<string, Tensor64 | ArrayLike<number>>>;
  /** Parameters by name. */
  readonly params?: Readonly<Record<string, Tensor64 | ArrayLike<number>>>;
  /** Symbolic dim bindings for the run. */
  readonly dims?: DimBindings;
  /** Relative tolerance (f32 kernels: about 1e-5; state a wider, justified one for long reductions). */
  readonly rtol: number;
  /** Absolute tolerance. */
  readonly atol: number;
  /** Fuse (default) or not. */
  readonly fuse?: boolean;
  /** Name for failure messages. */
  readonly label?: string;
  /** Extensions for `compile` (`attention` from `@weft/attention/kernels` for attention graphs). */
  readonly extensions?: CompileOptions['extensions'];
  /** Measured costs for the fusion planner, as `compile`'s `fusionCosts` (`FUSE_EVERY_PROLOGUE` to test fused prologues). */
  readonly fusionCosts?: CompileOptions['fusionCosts'];
  /** A program compiled earlier for the same graph (to test reuse across dims); compiled here otherwise. */
  readonly program?: Program;
}

/** What {@link expectMatchesReference} measured. */
export interface ReferenceCheckResult {
  /** Error statistics per output. */
  readonly reports: Readonly<Record<string, CloseReport>>;
  /** The worst relative error over the outputs. */
  readonly worstRelativeError: number;
  /** The program that ran (destroy it when done unless it was passed in). */
  readonly program: Program;
}

/**
 * Compiles `graph` for `device`, runs it with NaN-poisoned outputs, and asserts every output is
 * close to the float64 reference interpreter's result on the same inputs.
 */
export async function expectMatchesReference(
  graph: Graph,
  device: CompileOptions['device'],
  options: ReferenceCheckOptions,
): Promise<ReferenceCheckResult> {
  const dataOf = (value: Tensor64 | ArrayLike<number>) =>
    'data' in value && 'shape' in value ? value.data : value;
  const params = Object.fromEntries(
    Object.entries(options.params ?? {}).map(([name, value]) => [name, dataOf(value)]),
  );
  const program =
    options.program ??
    (await compile(graph, {
      device,
      params,
      ...(options.fuse === undefined ? {} : { fuse: options.fuse }),
      ...(options.extensions === undefined ? {} : { extensions: options.extensions }),
      ...(options.fusionCosts === undefined ? {} : { fusionCosts: options.fusionCosts }),
    }));
  const inputs = Object.fromEntries(
    Object.entries(options.inputs).map(([name, value]) => [name, dataOf(value)]),
  );
  const actual = await program.run(inputs, {
    poisonOutputs: true,
    ...(options.dims === undefined ? {} : { dims: options.dims }),
  });
  const expected = interpret(graph, {
    inputs: options.inputs,
    params: options.params ?? {},
    ...(options.dims === undefined ? {} : { dims: options.dims }),
  });
  const reports: Record<string, CloseReport> = {};
  let worstRelativeError = 0;
  for (const [name, reference] of Object.entries(expected)) {
    const result = actual[name]!;
    const report = expectClose(
      { shape: result.shape, dtype: result.dtype, data: Float64Array.from(result.data) },
      reference,
      {
        rtol: options.rtol,
        atol: options.atol,
        label: `${options.label ?? 'program'}: output ${name}`,
      },
    );
    reports[name] = report;
    worstRelativeError = Math.max(worstRelativeError, report.relativeError);
  }
  return { reports, worstRelativeError, program };
}
