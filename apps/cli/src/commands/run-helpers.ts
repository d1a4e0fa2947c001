import { InputError } from '@weft/ir';
import type { CompiledModel, Sampling } from '@weft/models';
import type { ProgressStream } from '../progress-bar.js';
import type { RunOptions } from './run-command.js';

/** The sampling the options ask for: greedy unless a temperature, top-k or top-p is given. */
export function samplingOf(options: RunOptions): Sampling {
  if (options.temperature === undefined && options.topK === undefined && options.topP === undefined)
    return { kind: 'greedy' };
  return {
    kind: 'random',
    ...(options.temperature === undefined ? {} : { temperature: Number(options.temperature) }),
    ...(options.topK === undefined ? {} : { topK: Number(options.topK) }),
    ...(options.topP === undefined ? {} : { topP: Number(options.topP) }),
    seed: Number(options.sampleSeed ?? 0),
  };
}

/** Prompt token ids from `text` ("1 2 3" or "1,2,3"), each in the vocabulary. */
export function parsePrompt(text: string, vocabSize: number): number[] {
  const ids = String(text)
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .map(Number);
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
  if (ids.length === 0 || bad !== undefined) {
    throw new InputError('--prompt must list token ids of the vocabulary', {
      tensor: 'prompt',
      expected: `integers in 0..${vocabSize - 1}`,
      actual: bad ?? 'no ids',
    });
  }
  return ids;
}

/** `value` as a positive integer. @throws InputError naming `option` otherwise. */
export function positiveInteger(value: number, option: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InputError(`${option} must be a positive integer`, { expected: 'integer >= 1', actual: value });
  return number;
}

/** `{ stream }` when a progress stream is set (the bars' option). */
export function streamOption(stream: ProgressStream | undefined): { stream?: ProgressStream } {
  return stream === undefined ? {} : { stream };
}

/** The `--device` option, checked. */
export function deviceOption(options: RunOptions): 'auto' | 'cpu' {
  const device = options.device ?? 'auto';
  if (device !== 'auto' && device !== 'cpu')
    throw new InputError('--device must be auto or cpu', { expected: 'auto | cpu', actual: device });
  return device;
}

/** Where a compiled model runs, in one line. */
export function backendLine(model: CompiledModel): string {
  return model.backend === 'cpu'
    ? `backend: CPU reference interpreter${model.fallbackReason === undefined ? '' : ` (no WebGPU: ${model.fallbackReason})`}`
    : `backend: WebGPU, ${model.decoder.stats.kernels} kernels, ${model.decoder.stats.dispatchesPerRun} dispatches per token`;
}

/** Prefill and per-token times of a generation, in one line. */
export function timingLine(result: { prefillMs: number; decodeMs: number; decodeSteps: number }): string {
  const perToken = result.decodeSteps === 0 ? 0 : result.decodeMs / result.decodeSteps;
  return `prefill ${result.prefillMs.toFixed(1)} ms, ${perToken.toFixed(1)} ms per token`;
}
