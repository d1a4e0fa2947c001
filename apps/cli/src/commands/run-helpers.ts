import { InputError } from '@weft/ir';
import type { CompiledModel, CompileProgress, LoadedTensor, Sampling } from '@weft/models';
import { type Progress, type ProgressStream, startProgress } from '@weft/zoo/cli';
import type { CliIo } from '../cli-io.js';
import { formatBytes } from '../format-bytes.js';
import type { RunOptions } from './run-command.js';

/**
 * The sampling the options ask for: greedy unless a temperature above 0, a top-k or a top-p is
 * given (temperature 0 is greedy, as elsewhere).
 */
export function samplingOf(options: RunOptions): Sampling {
  const { temperature, topK, topP } = options;
  if (Number(temperature) === 0 || (temperature === undefined && topK === undefined && topP === undefined))
    return { kind: 'greedy' };
  return {
    kind: 'random',
    ...(temperature === undefined ? {} : { temperature: Number(temperature) }),
    ...(topK === undefined ? {} : { topK: Number(topK) }),
    ...(topP === undefined ? {} : { topP: Number(topP) }),
    seed: Number(options.sampleSeed ?? 0),
  };
}

/**
 * Prompt token ids from `text` ("1 2 3" or "1,2,3"), each in the vocabulary.
 *
 * @throws InputError naming the first bad token and its position (`--prompt: token 2 "two" is not
 * an integer token id; …`).
 */
export function parsePrompt(text: string, vocabSize: number): number[] {
  const tokens = String(text)
    .split(/[\s,]+/)
    .filter((part) => part !== '');
  if (tokens.length === 0) throw new InputError('--prompt has no token ids (give them as "1 2 3")');
  return tokens.map((token, index) => {
    // Decimal digits only: Number() would also take "1e3", "0x3" or "1.0".
    const id = /^-?\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isSafeInteger(id)) {
      throw new InputError(
        `--prompt: token ${index + 1} "${token}" is not an integer token id; pass text with a tokenizer directory (weft run ./model-dir --prompt "text")`,
      );
    }
    if (id < 0 || id >= vocabSize) {
      throw new InputError(
        `--prompt: token ${index + 1} (${token}) is outside the vocabulary: ids are 0..${vocabSize - 1}`,
      );
    }
    return id;
  });
}

/** `value` as a positive integer. @throws InputError naming `option` otherwise. */
export function positiveInteger(value: number, option: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InputError(`${option} must be a positive integer`, { expected: 'integer >= 1', actual: value });
  return number;
}

/** `{ stream }` when a progress stream is set (the progress display's option). */
export function streamOption(stream: ProgressStream | undefined): { stream?: ProgressStream } {
  return stream === undefined ? {} : { stream };
}

/**
 * Runs `compile` (which reports its stages to `onProgress`) with a progress display of the stages:
 * their count, the stage just finished and the elapsed time. The display ends even when it throws.
 */
export async function compileWithProgress<T>(
  stream: ProgressStream | undefined,
  compile: (onProgress: (progress: CompileProgress) => void) => Promise<T>,
): Promise<T> {
  let shown: Progress | undefined;
  try {
    return await compile(({ done, total, stage }) => {
      shown ??= startProgress({ label: 'compiling', total, unit: 'stages', ...streamOption(stream) });
      shown.update(done, stage);
    });
  } finally {
    // compileModel reports its last stage itself: stopping leaves it drawn complete.
    shown?.stop();
  }
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

/** One line about a weights file: tensors, values, dtypes and the bytes loaded. */
export function describeWeights(io: CliIo, path: string, tensors: ReadonlyMap<string, LoadedTensor>): void {
  let elements = 0;
  const dtypes = new Set<string>();
  for (const tensor of tensors.values()) {
    elements += tensor.data.length;
    dtypes.add(tensor.dtype);
  }
  io.out(
    `weights ${path}: ${tensors.size} tensors, ${elements.toLocaleString('en-US')} values ` +
      `(${[...dtypes].sort().join(', ') || 'none'}; ${formatBytes(elements * 4)} loaded)`,
  );
}
