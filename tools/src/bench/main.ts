// `pnpm bench`: Weft against tfjs-backend-webgpu and onnxruntime-web on one WebGPU adapter.
import os from 'node:os';
import { formatAdapter, requestWeftDevice } from '@weft/runtime';
import { startProgress, UsageError, usePrivateRuntimeDir } from '@weft/zoo/cli';
import { selectBenchWork } from './bench-catalog.js';
import { benchGpu } from './bench-gpu.js';
import { BENCH_USAGE, type BenchOptions, parseBenchOptions } from './bench-options.js';
import { finishReport } from './bench-report.js';
import { runBenchInChromium } from './browser/run-in-chromium.js';
import { measureCompileTime } from './compile-time.js';
import { installDispatchCounter } from './dispatch-counter.js';
import { installGpuMemoryTracker } from './gpu-memory-tracker.js';
import { ortDeviceFeatures, ortDeviceWithoutSubgroupsFeatures } from './peers/onnxruntime-web.js';
import { runCases } from './run-cases.js';

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
  const { cases, compileTime: runCompileTime } = selectBenchWork(options);

  // The case names were checked above (selectBenchWork throws on an unknown one).
  if (options.browser) return runInBrowser(options);

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

  const results = await runCases(
    cases,
    { weft, gpu },
    {
      ...options,
      budgetMs: options.quick ? 3_000 : 10_000,
      log: (line) => console.log(line),
      startRuns: (label, total) => startProgress({ label, total, unit: 'timed runs' }),
    },
  );

  const compileTime = runCompileTime
    ? await measureCompileTime(gpu, { layers: 12, runs: options.quick ? 5 : 11 })
    : undefined;
  await finishReport(options, {
    environment: 'node',
    adapter: { line: adapterLine, ...weft.adapter },
    host: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    peerDeviceFeatures: {
      'ort-jsep': await ortDeviceFeatures('jsep'),
      'ort-webgpu': await ortDeviceFeatures('webgpu'),
      'ort-webgpu-nosubgroups': await ortDeviceWithoutSubgroupsFeatures(),
    },
    results,
    ...(compileTime === undefined ? {} : { compileTime }),
  });
  weft.destroy();
  return 0;
}

/** `--browser`: the same cases in headless Chromium's WebGPU, with the peers loaded in the page. */
async function runInBrowser(options: BenchOptions): Promise<number> {
  const report = await runBenchInChromium({
    quick: options.quick,
    only: options.only,
    systems: options.systems,
    warmup: options.warmup,
    repeats: options.repeats,
    ...(options.blockSparseN === undefined ? {} : { blockSparseN: options.blockSparseN }),
  });
  await finishReport(options, { environment: 'chromium', ...report });
  return 0;
}

// Dawn and onnxruntime-web keep handles open: exit explicitly once the results are out.
// Before the WebGPU binding loads: without XDG_RUNTIME_DIR, Dawn's Vulkan loader prints a harmless
// "XDG_RUNTIME_DIR is invalid or not set" error twice per run.
usePrivateRuntimeDir();
process.exit(await main());
