import { interpret } from '@weft/ir';
import { compile, type WeftDevice } from '@weft/runtime';
import { maxRelativeError } from '../measure/max-relative-error.js';
import { measureInterleaved } from '../measure/measure-interleaved.js';
import type { ZooEntry, ZooPaper } from '../zoo-entry.js';
import { ZOO_EXTENSIONS } from '../zoo-extensions.js';

/** Options of {@link measureZooEntry}. */
export interface MeasureZooEntryOptions {
  /** Where to run: a WebGPU device, or `'cpu'` for the reference backend (results rounded to f32). */
  readonly device: WeftDevice | 'cpu';
  /** Untimed runs before timing (pipeline warm-up, first-use allocations). Default 2. */
  readonly warmupRuns?: number;
  /** Timed runs; their median and spread are reported. Default 7. */
  readonly timedRuns?: number;
  /** Fuse operations into shared kernels (default) or run one kernel per op. */
  readonly fuse?: boolean;
}

/** What {@link measureZooEntry} measured for one entry. */
export interface ZooMeasurement {
  /** The entry's id. */
  readonly id: string;
  /** The entry's mechanism name. */
  readonly mechanism: string;
  /** The entry's paper. */
  readonly paper: ZooPaper;
  /** Where it ran. */
  readonly backend: 'webgpu' | 'cpu';
  /** Kernels in the compiled plan. */
  readonly kernels: number;
  /** Compute dispatches per run. */
  readonly dispatches: number;
  /** Worst normwise relative error over the outputs against the float64 reference (NaN: a NaN appeared). */
  readonly maxRelativeError: number;
  /** The entry's bound on that error. */
  readonly tolerance: number;
  /** Whether the error is within the tolerance. */
  readonly passed: boolean;
  /** Median wall time of one run (upload, dispatches, wait for completion; no readback), in ms. */
  readonly medianMs: number;
  /** Spread of the timed runs: their median absolute deviation from the median, in ms. */
  readonly madMs: number;
  /** Timed runs behind the median. */
  readonly timedRuns: number;
}

/**
 * Builds a zoo entry, compiles it with `compile`, checks one run (outputs poisoned with NaN first)
 * against the float64 reference interpreter, then times `warmupRuns` + `timedRuns` runs and reports
 * the median, the spread and the run count of the timed ones (statistics by tinybench, see
 * `measureInterleaved`). The program is destroyed before returning.
 *
 * @example
 * ```ts
 * const result = await measureZooEntry(findZooEntry('layer-norm')!, { device: await requestWeftDevice() });
 * console.log(result.kernels, result.maxRelativeError, result.medianMs);
 * ```
 */
export async function measureZooEntry(
  entry: ZooEntry,
  options: MeasureZooEntryOptions,
): Promise<ZooMeasurement> {
  const { graph, inputs, params, dims } = entry.build();
  const program = await compile(graph, {
    device: options.device,
    params,
    extensions: ZOO_EXTENSIONS,
    ...(options.fuse === undefined ? {} : { fuse: options.fuse }),
  });
  try {
    const outputs = await program.run(inputs, { dims, poisonOutputs: true });
    const reference = interpret(graph, { inputs, params, dims });
    let error = 0;
    for (const [name, expected] of Object.entries(reference)) {
      const actual = outputs[name];
      const outputError = actual === undefined ? Number.NaN : maxRelativeError(actual.data, expected.data);
      error = Number.isNaN(outputError) || Number.isNaN(error) ? Number.NaN : Math.max(error, outputError);
    }
    for (let run = 0; run < (options.warmupRuns ?? 2); run++) await program.dispatch(inputs, { dims });
    const [timed] = await measureInterleaved([{ run: () => program.dispatch(inputs, { dims }) }], {
      repeats: Math.max(1, options.timedRuns ?? 7),
    });
    if (timed === undefined || 'error' in timed) throw timed?.error;
    return {
      id: entry.id,
      mechanism: entry.mechanism,
      paper: entry.paper,
      backend: program.backend,
      kernels: program.stats.kernels,
      dispatches: program.stats.dispatchesPerRun,
      maxRelativeError: error,
      tolerance: entry.tolerance,
      passed: error <= entry.tolerance,
      medianMs: timed.timing.medianMs,
      madMs: timed.timing.madMs,
      timedRuns: timed.timing.runs,
    };
  } finally {
    program.destroy();
  }
}
