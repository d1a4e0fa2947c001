import { attention } from '@weft/attention/kernels';
import { runPipeline } from '@weft/ir';
import { buildModelGraph, type ModelSpecInput, parseModelSpec, randomParameters } from '@weft/models';
import { compile, deviceProfileOf, requestWeftDevice, type WeftDevice } from '@weft/runtime';
import { fusionCostModelOf, generateProgram } from '@weft/wgsl';
import { DEMO_SPEC } from '../demo/demo-spec.js';

/** The name `--only` selects the compile-time case by. */
export const COMPILE_TIME_CASE = 'compile-time';

/** The demo decoder with `layers` layers (the compile-time case uses 12). */
export function demoSpecWithLayers(layers: number): ModelSpecInput {
  return { ...DEMO_SPEC, config: { ...DEMO_SPEC.config, layers } };
}

/** Medians (ms) of the host stages of one compilation, and of `compile` cold and warm. */
export interface CompileTimeResult {
  readonly layers: number;
  readonly kernels: number;
  readonly runs: number;
  /** Spec → graph: parse and validate the spec, build the decode-step graph. */
  readonly graphMs: number;
  /** Graph → plan: passes, fusion planning, memory planning (`runPipeline`). */
  readonly passesMs: number;
  /** Plan → WGSL for the device's profile (`generateProgram`). */
  readonly wgslMs: number;
  /**
   * Plan → WGSL with every kernel rendered on its own (`shareKernels: false`), in the same runs,
   * the two orders alternating: what sharing the rendering of identical layers saves.
   */
  readonly wgslUnsharedMs: number;
  /** The three stages together (the < 50 ms target). */
  readonly hostMs: number;
  /** Median absolute deviation of each stage and of the total, in the same order (ms). */
  readonly spreadMs: {
    readonly graph: number;
    readonly passes: number;
    readonly wgsl: number;
    readonly wgslUnshared: number;
    readonly host: number;
  };
  /** The three stages of the first run (cold: the first compilation of the process). */
  readonly firstHostMs: number;
  /** `compile` on a fresh device (every pipeline created, in parallel). */
  readonly coldCompileMs: number;
  /** `compile` of the same graph again on that device (pipelines from the per-device cache). */
  readonly warmCompileMs: number;
}

/**
 * Measures the compile time of the demo decoder's decode-step program with `layers` layers: the
 * host stages `runs` times each (medians and spread; WGSL also without sharing across layers, the
 * two alternating), then `compile` on a fresh device (cold) and again on the same device (warm:
 * its pipeline cache holds every kernel).
 */
export async function measureCompileTime(
  gpu: GPU,
  options: { readonly layers: number; readonly runs: number },
): Promise<CompileTimeResult> {
  const spec = demoSpecWithLayers(options.layers);
  const probe = await requestWeftDevice({ gpu });
  const profile = deviceProfileOf(probe.device, { software: probe.adapter.software });
  probe.destroy();
  const stages = {
    graph: [] as number[],
    passes: [] as number[],
    wgsl: [] as number[],
    wgslUnshared: [] as number[],
  };
  let built: ReturnType<typeof buildModelGraph> | undefined;
  let kernels = 0;
  for (let run = 0; run < options.runs; run++) {
    const t0 = performance.now();
    built = buildModelGraph(parseModelSpec(spec), { mode: 'step' });
    const t1 = performance.now();
    const { plan } = runPipeline(built.graph, { fusionCosts: fusionCostModelOf(profile) });
    const t2 = performance.now();
    const timedWgsl = (shareKernels: boolean): number => {
      const started = performance.now();
      kernels = generateProgram(plan, profile, { extensions: [attention], shareKernels }).length;
      return performance.now() - started;
    };
    // The shared rendering is the one the host total counts; the other runs before or after it.
    const unsharedFirst = run % 2 === 1;
    const unsharedBefore = unsharedFirst ? timedWgsl(false) : undefined;
    const shared = timedWgsl(true);
    stages.wgslUnshared.push(unsharedBefore ?? timedWgsl(false));
    stages.graph.push(t1 - t0);
    stages.passes.push(t2 - t1);
    stages.wgsl.push(shared);
  }
  const { graph, state } = built!;
  const params = randomParameters(graph, 0);
  const fresh: WeftDevice = await requestWeftDevice({ gpu });
  try {
    const timedCompile = async () => {
      const started = performance.now();
      const program = await compile(graph, { device: fresh, params, state, extensions: [attention] });
      const elapsed = performance.now() - started;
      program.destroy();
      return elapsed;
    };
    const coldCompileMs = await timedCompile();
    const warm: number[] = [];
    for (let run = 0; run < Math.max(1, Math.min(options.runs, 5)); run++) warm.push(await timedCompile());
    const host = stages.graph.map((value, index) => value + stages.passes[index]! + stages.wgsl[index]!);
    return {
      layers: options.layers,
      kernels,
      runs: options.runs,
      graphMs: median(stages.graph),
      passesMs: median(stages.passes),
      wgslMs: median(stages.wgsl),
      wgslUnsharedMs: median(stages.wgslUnshared),
      hostMs: median(host),
      spreadMs: {
        graph: medianDeviation(stages.graph),
        passes: medianDeviation(stages.passes),
        wgsl: medianDeviation(stages.wgsl),
        wgslUnshared: medianDeviation(stages.wgslUnshared),
        host: medianDeviation(host),
      },
      firstHostMs: host[0]!,
      coldCompileMs,
      warmCompileMs: median(warm),
    };
  } finally {
    fresh.destroy();
  }
}

/** One line per figure, for the bench's console report. */
export function formatCompileTime(result: CompileTimeResult): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const spread = result.spreadMs;
  const withSpread = (value: number, deviation: number) => `${value.toFixed(1)} ± ${deviation.toFixed(1)} ms`;
  return [
    `Compile time, demo decoder with ${result.layers} layers (decode step, ${result.kernels} kernels; medians ± MAD of ${result.runs} runs):`,
    `  spec → graph ${withSpread(result.graphMs, spread.graph)}, passes + planning ${withSpread(result.passesMs, spread.passes)}, WGSL ${withSpread(result.wgslMs, spread.wgsl)}: host total ${withSpread(result.hostMs, spread.host)} (first run ${ms(result.firstHostMs)})`,
    `  WGSL with every kernel rendered on its own (no sharing across layers): ${withSpread(result.wgslUnsharedMs, spread.wgslUnshared)}`,
    `  compile (host stages + pipelines): cold ${ms(result.coldCompileMs)}, warm ${ms(result.warmCompileMs)} (per-device pipeline cache)`,
  ].join('\n');
}

/** Median absolute deviation from the median. */
function medianDeviation(values: readonly number[]): number {
  const middle = median(values);
  return median(values.map((value) => Math.abs(value - middle)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
