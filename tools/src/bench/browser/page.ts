// The page of `pnpm bench --browser`: the same cases and harness as `pnpm bench`, with tfjs and
// onnxruntime-web loaded in the page, on the browser's own `navigator.gpu`.
import { formatAdapter, requestWeftDevice } from '@weft/runtime';
import { selectBenchWork } from '../bench-catalog.js';
import { measureCompileTime } from '../compile-time.js';
import { installDispatchCounter } from '../dispatch-counter.js';
import { installGpuMemoryTracker } from '../gpu-memory-tracker.js';
import { ortDeviceFeatures, ortDeviceWithoutSubgroupsFeatures } from '../peers/onnxruntime-web.js';
import { runCases } from '../run-cases.js';
import type { BrowserBenchConfig, BrowserBenchReport } from './page-config.js';

const logElement = document.getElementById('log');
function log(line: string): void {
  console.log(line);
  logElement?.append(`${line}\n`);
}

async function run(config: BrowserBenchConfig): Promise<BrowserBenchReport> {
  (globalThis as { weftOrtWasmPaths?: string }).weftOrtWasmPaths = config.ortWasmPaths;
  const { cases, compileTime: runCompileTime } = selectBenchWork(config);
  const gpu = navigator.gpu;
  installDispatchCounter();
  installGpuMemoryTracker();
  const weft = await requestWeftDevice({ gpu });
  const line = formatAdapter(weft.adapter);
  log(`Adapter: ${line}`);
  log(`Browser: ${navigator.userAgent}; ${navigator.hardwareConcurrency} CPU threads`);
  const results = await runCases(
    cases,
    { weft, gpu },
    { ...config, budgetMs: config.quick ? 3_000 : 10_000, log },
  );
  const compileTime = runCompileTime
    ? await measureCompileTime(gpu, { layers: 12, runs: config.quick ? 5 : 11 })
    : undefined;
  const peerDeviceFeatures = {
    'ort-jsep': await ortDeviceFeatures('jsep'),
    'ort-webgpu': await ortDeviceFeatures('webgpu'),
    'ort-webgpu-nosubgroups': await ortDeviceWithoutSubgroupsFeatures(),
  };
  weft.destroy();
  return {
    adapter: { line, ...weft.adapter },
    host: { userAgent: navigator.userAgent, cpus: navigator.hardwareConcurrency },
    results,
    ...(compileTime === undefined ? {} : { compileTime }),
    peerDeviceFeatures,
  };
}

const config = JSON.parse(decodeURIComponent(location.hash.slice(1))) as BrowserBenchConfig;
const target = globalThis as { weftBenchReport?: BrowserBenchReport };
run(config).then(
  (report) => {
    target.weftBenchReport = report;
  },
  (error: unknown) => {
    target.weftBenchReport = {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  },
);
