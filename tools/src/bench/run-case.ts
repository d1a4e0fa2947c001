import {
  type InterleavedOptions,
  type InterleavedResult,
  measureInterleaved,
  type Timing,
} from '@weft/zoo/runner';
import {
  type BenchCase,
  type CaseContext,
  type ReportedGpuBytes,
  type RunnableSystem,
  SYSTEM_NAMES,
  type SystemFactory,
  type SystemName,
} from './bench-case.js';
import { countDispatches } from './dispatch-counter.js';
import { openGpuMemoryWindow } from './gpu-memory-tracker.js';
import { maxRelativeError } from './max-relative-error.js';

/** The outcome of one system on one case. */
export interface SystemResult {
  /** Which system. */
  readonly system: SystemName;
  /**
   * `ok`: ran and matched the reference; `wrong`: ran but its error exceeds the tolerance (its time
   * is kept for the record but never compared); `failed`: threw while running; `skipped`: could not
   * be set up (e.g. a Weft package not available yet).
   */
  readonly status: 'ok' | 'wrong' | 'failed' | 'skipped';
  /** Timing of the timed runs (ok and wrong only). */
  readonly timing?: Timing;
  /** Compute dispatches of one run. */
  readonly dispatches?: number;
  /**
   * The most GPU buffer bytes the system held at once, from its setup to its last run: buffers it
   * created and had not destroyed, counted by the benchmark's buffer tracker (the same measurement
   * for every system). Absent when the tracker is not installed.
   */
  readonly peakGpuBytes?: number;
  /** The system's own account of its GPU memory, where it gives one. */
  readonly reportedGpuBytes?: ReportedGpuBytes;
  /** Error against the float64 reference (see `maxRelativeError`). */
  readonly maxRelativeError?: number;
  /** The tolerance the error was held to. */
  readonly tolerance: number;
  /** GFLOP/s at the median time, for cases that count FLOPs (ok only). */
  readonly gflops?: number;
  /** The median over the reference system's median (ok only; > 1 means slower than the reference). */
  readonly ratio?: number;
  /** What went wrong, or a remark of the system's. */
  readonly note?: string;
}

/** The outcome of one case. */
export interface CaseResult {
  /** Case name. */
  readonly name: string;
  /** Case family. */
  readonly group: string;
  /** What was computed. */
  readonly description: string;
  /** The system ratios are taken against, when any ran right. */
  readonly referenceSystem?: SystemName;
  /** FLOPs of one run, when counted. */
  readonly flops?: number;
  /** One entry per system the case implements and the user selected. */
  readonly systems: readonly SystemResult[];
}

/** Options of {@link runCase}. */
export interface RunCaseOptions extends InterleavedOptions {
  /** Untimed warm-up runs per system before its checked run (pipeline compilation, allocation, caches). */
  readonly warmup: number;
  /** Systems to run (others are left out). */
  readonly systems: readonly SystemName[];
  /** Called after each system, for progress output. */
  readonly onSystem?: (benchCase: BenchCase, result: SystemResult) => void;
}

const DEFAULT_TOLERANCE = 1e-3;

/**
 * Runs one case on every selected system. First each system in turn is set up and warmed up, and
 * makes one checked run (its output is compared with the float64 reference and its dispatches
 * counted); its peak GPU bytes are tracked over that stretch. Then all of them are timed together
 * in rotating rounds (see `measureInterleaved`), so that no system is favoured by when it runs, and
 * finally disposed. Every run follows the system's untimed `prepare`.
 */
export async function runCase(
  benchCase: BenchCase,
  context: CaseContext,
  options: RunCaseOptions,
): Promise<CaseResult> {
  const setup = await benchCase.setup(context);
  const tolerance = setup.tolerance ?? DEFAULT_TOLERANCE;
  const settled = new Map<SystemName, SystemResult>();
  const ready: ReadySystem[] = [];
  try {
    for (const system of SYSTEM_NAMES) {
      if (!options.systems.includes(system)) continue;
      const factory = setup.systems[system];
      const absence = setup.absent?.[system];
      if (factory === undefined && absence === undefined) continue;
      const outcome =
        factory === undefined
          ? ({ system, status: 'skipped', tolerance, note: `absent: ${absence}` } as const)
          : await readySystem(
              system,
              factory,
              setup.systemReferences?.[system]?.() ?? setup.reference,
              tolerance,
              options.warmup,
            );
      if ('runnable' in outcome) ready.push(outcome);
      else settled.set(system, outcome);
    }
    const timings = await measureInterleaved(
      ready.map(({ runnable }) => ({
        run: () => runnable.run(),
        before: () => runnable.prepare?.() ?? Promise.resolve(),
      })),
      options,
    );
    for (const [index, entry] of ready.entries()) {
      settled.set(entry.system, finishSystem(entry, timings[index]!));
    }
  } finally {
    for (const { runnable } of ready) await runnable.dispose();
  }
  const results = SYSTEM_NAMES.flatMap((system) => settled.get(system) ?? []);
  for (const result of results) options.onSystem?.(benchCase, result);
  const reference = pickReference(results, benchCase.referenceSystem);
  const referenceMs = reference?.timing?.medianMs;
  return {
    name: benchCase.name,
    group: benchCase.group,
    description: benchCase.description,
    ...(reference === undefined ? {} : { referenceSystem: reference.system }),
    ...(setup.flops === undefined ? {} : { flops: setup.flops }),
    systems: results.map((result) => {
      if (result.status !== 'ok' || result.timing === undefined) return result;
      const gflops =
        setup.flops === undefined ? {} : { gflops: setup.flops / (result.timing.medianMs * 1e6) };
      const ratio = referenceMs === undefined ? {} : { ratio: result.timing.medianMs / referenceMs };
      return { ...result, ...gflops, ...ratio };
    }),
  };
}

/** A system set up, warmed up and checked, waiting for the timed rounds. */
interface ReadySystem {
  readonly system: SystemName;
  readonly runnable: RunnableSystem;
  readonly tolerance: number;
  readonly dispatches: number;
  readonly error: number;
  readonly peakGpuBytes: number | undefined;
}

async function readySystem(
  system: SystemName,
  factory: SystemFactory,
  reference: Float64Array,
  tolerance: number,
  warmup: number,
): Promise<ReadySystem | SystemResult> {
  const memory = openGpuMemoryWindow();
  let runnable: RunnableSystem;
  try {
    runnable = await factory();
  } catch (error) {
    return { system, status: 'skipped', tolerance, note: `not available: ${describeError(error)}` };
  }
  const prepare = () => runnable.prepare?.() ?? Promise.resolve();
  try {
    for (let index = 0; index < warmup; index++) {
      await prepare();
      await runnable.run();
    }
    await prepare();
    const checked = await countDispatches(() => runnable.run());
    return {
      system,
      runnable,
      tolerance,
      dispatches: checked.dispatches,
      error: maxRelativeError(checked.result, reference),
      peakGpuBytes: memory?.peakBytes(),
    };
  } catch (error) {
    await runnable.dispose();
    return { system, status: 'failed', tolerance, note: `failed: ${describeError(error)}` };
  }
}

function finishSystem(entry: ReadySystem, measured: InterleavedResult): SystemResult {
  const { system, runnable, tolerance, error, dispatches, peakGpuBytes } = entry;
  if ('error' in measured) {
    return { system, status: 'failed', tolerance, note: `failed: ${describeError(measured.error)}` };
  }
  const reportedGpuBytes = runnable.reportedGpuBytes?.();
  const wrong = !(error <= tolerance);
  const notes = [
    wrong ? `WRONG: error ${formatError(error)} > ${formatError(tolerance)}` : undefined,
    runnable.note,
  ];
  if (dispatches === 0) notes.push('no GPU dispatch: ran on the CPU');
  const note = notes.filter((part) => part !== undefined).join('; ');
  return {
    system,
    status: wrong ? 'wrong' : 'ok',
    timing: measured.timing,
    dispatches,
    ...(peakGpuBytes === undefined ? {} : { peakGpuBytes }),
    ...(reportedGpuBytes === undefined ? {} : { reportedGpuBytes }),
    maxRelativeError: error,
    tolerance,
    ...(note === '' ? {} : { note }),
  };
}

function pickReference(
  results: readonly SystemResult[],
  preferred: SystemName | undefined,
): SystemResult | undefined {
  const ok = results.filter((result) => result.status === 'ok');
  return ok.find((result) => result.system === (preferred ?? 'weft-fused')) ?? ok[0];
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

function formatError(value: number): string {
  return Number.isFinite(value) ? value.toExponential(1) : String(value);
}
