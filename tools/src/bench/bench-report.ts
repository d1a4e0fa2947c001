import { writeFile } from 'node:fs/promises';
import type { BenchOptions } from './bench-options.js';
import { type CompileTimeResult, formatCompileTime } from './compile-time.js';
import { formatResultsTable } from './format-table.js';
import type { CaseResult } from './run-case.js';

/** What one `pnpm bench` run measured, in Node or in Chromium (`--browser`). */
export interface BenchRun {
  /** Where the systems ran: Node with Dawn, or a headless Chromium page. */
  readonly environment: 'node' | 'chromium';
  readonly adapter: Readonly<Record<string, unknown>> & { readonly line: string };
  readonly host: Readonly<Record<string, unknown>>;
  readonly peerDeviceFeatures: Readonly<Record<string, readonly string[]>>;
  readonly results: readonly CaseResult[];
  readonly compileTime?: CompileTimeResult;
}

/** Prints the results table, the compile time and the peers' device features; writes `--json`. */
export async function finishReport(options: BenchOptions, run: BenchRun): Promise<void> {
  if (run.results.length > 0) console.log(`\n${formatResultsTable(run.results)}`);
  if (run.compileTime !== undefined) console.log(`\n${formatCompileTime(run.compileTime)}`);
  for (const [system, features] of Object.entries(run.peerDeviceFeatures)) {
    if (features.length > 0) console.log(`${system} device features: ${features.join(', ')}`);
  }
  if (options.json === undefined) return;
  const report = {
    date: new Date().toISOString(),
    environment: run.environment,
    adapter: run.adapter,
    host: run.host,
    options,
    measurement: MEASUREMENT,
    peerDeviceFeatures: run.peerDeviceFeatures,
    results: run.results,
    ...(run.compileTime === undefined ? {} : { compileTime: run.compileTime }),
  };
  await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Wrote ${options.json}`);
}

/** What the report's numbers mean, written into the JSON next to them. */
export const MEASUREMENT = {
  timing:
    'wall time of one run from host inputs to host output (readback included); median of the timed runs, taken after every system of the case was warmed up, in rounds that run each system once in an order rotating from round to round (statistics by tinybench)',
  spread:
    'madMs: median absolute deviation of the timed runs from their median; runs: the timed runs behind the median (fewer than asked when a slow system used up its time budget)',
  ratio: "a system's median over the case's reference system's median (> 1: slower)",
  dispatches: 'compute dispatches of one run, counted on GPUComputePassEncoder for every system',
  peakGpuBytes:
    'most GPU buffer bytes a system held at once from its setup to its checked run (after the warm-up): created and not destroyed, counted on GPUDevice.createBuffer / GPUBuffer.destroy for every system (textures not counted)',
  reportedGpuBytes:
    "the system's own count where it has one: Weft program.stats.arenaBytes, tfjs tf.memory().numBytesInGPU",
  maxRelativeError: 'max |actual − float64 reference| / max |reference|',
  compileTime:
    'the demo decoder with 12 layers, decode-step program: host stages (spec → graph, passes + planning, WGSL) as medians of repeated runs; compile() on a fresh device (cold: every pipeline created in parallel) and again on the same device (warm: pipelines from the per-device cache)',
};
