import type { SystemName } from '../bench-case.js';
import type { BenchRun } from '../bench-report.js';

/** What the Node side asks of the benchmark page (in the page URL's hash, as JSON). */
export interface BrowserBenchConfig {
  readonly quick: boolean;
  /** Case names or groups (empty: all); `compile-time` selects the compile-time case. */
  readonly only: readonly string[];
  readonly systems: readonly SystemName[];
  readonly warmup: number;
  readonly repeats: number;
  readonly blockSparseN?: number;
  /** Where the page finds onnxruntime-web's wasm files. */
  readonly ortWasmPaths: string;
}

/** What the page leaves on `window.weftBenchReport` when it is done: a run's report, or its error. */
export type BrowserBenchReport = Omit<BenchRun, 'environment'> | { readonly error: string };
