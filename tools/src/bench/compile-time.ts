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
  /** The three stages together (the < 50 ms target). */
  readonly hostMs: number;
  /** `compile` on a fresh device (every pipeline created, in parallel). */
  readonly coldCompileMs: number;
  /** `compile` of the same graph again on that device (pipelines from the per-device cache). */
  readonly warmCompileMs: number;
}

/**
 * Measures the compile time of the demo decoder's decode-step program with `layers` layers: the
 * host stages `runs` times each (medians), then `compile` on a fresh device (cold) and once more
 * on the same device (warm: its pipeline cache holds every kernel).
 */
export async function measureCompileTime(
  gpu: GPU,
  options: { readonly layers: number; readonly runs: number },
): Promise<CompileTimeResult> {
  const spec = demoSpecWithLayers(options.layers);
  const probe = await requestWeftDevice({ gpu });
  const profile = deviceProfileOf(probe.device, { software: probe.adapter.software });
  probe.destroy();
  const stages = { graph: [] as number[], passes: [] as number[], wgsl: [] as number[] };
  let built: ReturnType<typeof buildModelGraph> | undefined;
  let kernels = 0;
  for (let run = 0; run < options.runs; run++) {
    const t0 = performance.now();
    built = buildModelGraph(parseModelSpec(spec), { mode: 'step' });
    const t1 = performance.now();
    const { plan } = runPipeline(built.graph, { fusionCosts: fusionCostModelOf(profile) });
    const t2 = performance.now();
    kernels = generateProgram(plan, profile, { extensions: [attention] }).length;
    const t3 = performance.now();
    stages.graph.push(t1 - t0);
    stages.passes.push(t2 - t1);
    stages.wgsl.push(t3 - t2);
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
    const graphMs = median(stages.graph);
    const passesMs = median(stages.passes);
    const wgslMs = median(stages.wgsl);
    return {
      layers: options.layers,
      kernels,
      runs: options.runs,
      graphMs,
      passesMs,
      wgslMs,
      hostMs: median(stages.graph.map((value, index) => value + stages.passes[index]! + stages.wgsl[index]!)),
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
  return [
    `Compile time, demo decoder with ${result.layers} layers (decode step, ${result.kernels} kernels; medians of ${result.runs} runs):`,
    `  spec → graph ${ms(result.graphMs)}, passes + planning ${ms(result.passesMs)}, WGSL ${ms(result.wgslMs)}: host total ${ms(result.hostMs)}`,
    `  compile (host stages + pipelines): cold ${ms(result.coldCompileMs)}, warm ${ms(result.warmCompileMs)} (per-device pipeline cache)`,
  ].join('\n');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
