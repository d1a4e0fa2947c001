import { InputError } from '@weft/ir';
import { choiceOption, integerOption, numberOption } from '../option-values.js';
import type { BenchOptions } from './bench-command.js';
import type { RunOptions } from './run-command.js';

/** Devices `weft run` and `weft bench` take. */
const DEVICES = ['auto', 'cpu'] as const;

/**
 * `weft run`'s options checked and read as numbers, before anything is loaded or compiled.
 *
 * @throws InputError naming the flag and its allowed range (`--top-p must be a number in (0, 1], got 3`).
 */
export function checkRunOptions(options: RunOptions): RunOptions {
  const { temperature, topK, topP, weights, prompt } = options;
  // An empty prompt has nothing to generate from (no token ids; no text to tokenize).
  if (prompt !== undefined && String(prompt).trim() === '')
    throw new InputError(
      '--prompt is empty: give token ids ("1 2 3"), or text for a model directory with a tokenizer.json',
    );
  return {
    ...options,
    ...(weights === undefined ? {} : { weights: String(weights) }),
    ...(prompt === undefined ? {} : { prompt: String(prompt) }),
    tokens: integerOption('--tokens', options.tokens ?? 16, 1),
    maxSeq: integerOption('--max-seq', options.maxSeq ?? 2048, 1),
    seed: integerOption('--seed', options.seed ?? 0, 0),
    sampleSeed: integerOption('--sample-seed', options.sampleSeed ?? 0, 0),
    device: choiceOption('--device', options.device ?? 'auto', DEVICES),
    ...(temperature === undefined
      ? {}
      : { temperature: numberOption('--temperature', temperature, 'a number ≥ 0', (t) => t >= 0) }),
    ...(topK === undefined ? {} : { topK: integerOption('--top-k', topK, 1) }),
    ...(topP === undefined
      ? {}
      : { topP: numberOption('--top-p', topP, 'a number in (0, 1]', (p) => p > 0 && p <= 1) }),
  };
}

/**
 * `weft bench`'s options checked and read as numbers, before anything is loaded or compiled.
 *
 * @throws InputError naming the flag and its allowed range (`--repeats must be an integer ≥ 1, got 0`).
 */
export function checkBenchOptions(options: BenchOptions): BenchOptions {
  return {
    ...options,
    prompt: integerOption('--prompt', options.prompt ?? 8, 1),
    repeats: integerOption('--repeats', options.repeats ?? 5, 1),
    device: choiceOption('--device', options.device ?? 'auto', DEVICES),
    ...(options.json === undefined ? {} : { json: String(options.json) }),
  };
}
