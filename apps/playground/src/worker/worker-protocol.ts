import type { AnalysisFailure, AnalysisResult } from '../analysis/analysis-result.js';

/** The page asks the worker to compile a spec. */
export interface AnalyzeRequest {
  /** Increases with every edit; the reply carries it back. */
  readonly id: number;
  /** The editor's text. */
  readonly text: string;
  /** Run on the CPU reference backend even where WebGPU exists. */
  readonly forceCpu: boolean;
}

/** The worker's answer to one {@link AnalyzeRequest}. */
export type AnalyzeReply =
  | { readonly id: number; readonly ok: true; readonly result: AnalysisResult }
  | { readonly id: number; readonly ok: false; readonly failure: AnalysisFailure };
