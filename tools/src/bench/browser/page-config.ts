import type { SystemName } from '../bench-case.js';
import type { CompileTimeResult } from '../compile-time.js';
import type { CaseResult } from '../run-case.js';

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

/** What the page leaves on `window.weftBenchReport` when it is done. */
export type BrowserBenchReport =
  | {
      readonly adapter: Readonly<Record<string, unknown>> & { readonly line: string };
      readonly host: { readonly userAgent: string; readonly cpus: number };
      readonly results: readonly CaseResult[];
      readonly compileTime?: CompileTimeResult;
      readonly peerDeviceFeatures: Readonly<Record<string, readonly string[]>>;
    }
  | { readonly error: string };
