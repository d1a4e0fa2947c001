// `pnpm bench`: Weft against tfjs-backend-webgpu and onnxruntime-web on one WebGPU adapter.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { formatAdapter, requestWeftDevice } from '@weft/runtime';
import { type Progress, startProgress, UsageError, usePrivateRuntimeDir } from '@weft/zoo/cli';
import { benchCases, selectCases } from './bench-catalog.js';
import { benchGpu } from './bench-gpu.js';
import { BENCH_USAGE, parseBenchOptions } from './bench-options.js';
import { COMPILE_TIME_CASE, formatCompileTime, measureCompileTime } from './compile-time.js';
import { installDispatchCounter } from './dispatch-counter.js';
import { formatResultsTable } from './format-table.js';
import { installGpuMemoryTracker } from './gpu-memory-tracker.js';
import { ortDeviceFeatures, ortDeviceWithoutSubgroupsFeatures } from './peers/onnxruntime-web.js';
import { type CaseResult, runCase } from './run-case.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseBenchOptions>;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  // `compile-time` names the compile-time case, which runs apart from the timed-run cases.
  const compileTimeOnly = options.only.length > 0 && options.only.every((name) => name === COMPILE_TIME_CASE);
  const runCompileTime = options.only.length === 0 || options.only.includes(COMPILE_TIME_CASE);
  const caseNames = options.only.filter((name) => name !== COMPILE_TIME_CASE);
  const cases = compileTimeOnly
    ? []
    : selectCases(
        benchCases({
          quick: options.quick,
          ...(options.blockSparseN === undefined ? {} : { blockSparseN: options.blockSparseN }),
        }),
        caseNames,
      );

  const gpu = await benchGpu();
  installDispatchCounter();
  installGpuMemoryTracker();
  const weft = await requestWeftDevice({ gpu });
  const adapterLine = formatAdapter(weft.adapter);
  console.log(`Adapter: ${adapterLine}`);
  console.log(
    `Host: ${os.cpus().length} CPU cores, Node ${process.version}; ${options.warmup} warm-up + ${options.repeats} timed runs per system, timed in rotating rounds across systems`,
  );
  if (weft.adapter.software) console.log('Software adapter: compare times only as ratios within this run.');

  const results: CaseResult[] = [];
  const budgetMs = options.quick ? 3_000 : 10_000;
  const started = performance.now();
  for (const [index, benchCase] of cases.entries()) {
    const elapsed = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `▸ case ${index + 1}/${cases.length} (${elapsed} s) ${benchCase.name}: ${benchCase.description}`,
    );
    // The timed rounds of the case: a bar on a terminal, a line per tenth of the runs otherwise.
    let rounds: Progress | undefined;
    const result = await runCase(
      benchCase,
      { weft, gpu },
      {
        warmup: options.warmup,
        repeats: options.repeats,
        budgetMs,
        systems: options.systems,
        onRun: (done, total) => {
          rounds ??= startProgress({ label: `  ${benchCase.name}`, total, unit: 'timed runs' });
          rounds.update(done);
        },
        onSystem: (_, system) => {
          rounds?.stop();
          const time =
            system.timing === undefined
              ? ''
              : ` ${system.timing.medianMs.toFixed(2)} ± ${system.timing.madMs.toFixed(2)} ms (${system.timing.runs} runs)`;
          console.log(
            `    ${system.system}: ${system.status}${time}${system.note === undefined ? '' : ` (${system.note})`}`,
          );
        },
      },
    ).finally(() => rounds?.stop());
    results.push(result);
  }

  if (results.length > 0) console.log(`\n${formatResultsTable(results)}`);
  const compileTime = runCompileTime
    ? await measureCompileTime(gpu, { layers: 12, runs: options.quick ? 5 : 11 })
    : undefined;
  if (compileTime !== undefined) console.log(`\n${formatCompileTime(compileTime)}`);
  const peerDevices = {
    'ort-jsep': await ortDeviceFeatures('jsep'),
    'ort-webgpu': await ortDeviceFeatures('webgpu'),
    'ort-webgpu-nosubgroups': await ortDeviceWithoutSubgroupsFeatures(),
  };
  for (const [system, features] of Object.entries(peerDevices)) {
    if (features.length > 0) console.log(`${system} device features: ${features.join(', ')}`);
  }
  if (options.json !== undefined) {
    const report = {
      date: new Date().toISOString(),
      adapter: { line: adapterLine, ...weft.adapter },
      host: {
        cpus: os.cpus().length,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
      },
      options,
      measurement: MEASUREMENT,
      peerDeviceFeatures: peerDevices,
      results,
      ...(compileTime === undefined ? {} : { compileTime }),
    };
    await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Wrote ${options.json}`);
  }
  weft.destroy();
  return 0;
}

/** What the report's numbers mean, written into the JSON next to them. */
const MEASUREMENT = {
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

// Dawn and onnxruntime-web keep handles open: exit explicitly once the results are out.
// Before the WebGPU binding loads: without XDG_RUNTIME_DIR, Dawn's Vulkan loader prints a harmless
// "XDG_RUNTIME_DIR is invalid or not set" error twice per run.
usePrivateRuntimeDir();
process.exit(await main());
