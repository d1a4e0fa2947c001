import { InputError } from '@weft/ir';
import { createSampler, type Sampling } from './sampling.js';

/** One forward step of a cached decoder: new tokens in, the last position's logits out. */
export interface DecodeStepper {
  /** Longest sequence the caches hold. */
  readonly maxSeq: number;
  /** Empties the caches. */
  reset(): void;
  /** Runs `tokens` after `past` cached tokens and returns the logits of the last one (`[V]`). */
  step(tokens: Int32Array, past: number): Promise<Float32Array>;
}

/** Options of a generation. */
export interface GenerateOptions {
  /** Most tokens to generate (the prompt not counted). */
  readonly maxTokens: number;
  /** How tokens are chosen. Default greedy. */
  readonly sampling?: Sampling;
  /** Token ids that end generation (an end-of-sequence id); the stop token is kept in the output. */
  readonly stop?: readonly number[];
  /** Called with each generated token as soon as it is chosen; return `false` to stop early. */
  readonly onToken?: (token: number, index: number) => unknown;
}

/** Why a generation ended. */
export type StopReason = 'maxTokens' | 'stopToken' | 'callback' | 'maxSeq';

/** What a generation produced, with its timings. */
export interface GenerateResult {
  /** The generated tokens (without the prompt). */
  readonly tokens: readonly number[];
  /** Why it ended. */
  readonly stopReason: StopReason;
  /** Wall time of the prefill step (prompt → first token), in ms. */
  readonly prefillMs: number;
  /** Wall time of the decode steps together, in ms. */
  readonly decodeMs: number;
  /** Decode steps run (one per token after the first). */
  readonly decodeSteps: number;
  /** Logits of the last prompt position (what the first token was chosen from). */
  readonly prefillLogits: Float32Array;
}

/**
 * Prefill + decode: runs the whole prompt once (filling the caches), then one step per new token
 * with only that token as input, sampling each token from the last position's logits. Ends at
 * `maxTokens`, a stop token, a callback returning `false`, or when the caches are full.
 *
 * @throws InputError for an empty prompt or one longer than the caches, a non-integer token, or
 * a `maxTokens` that is negative or not an integer.
 *
 * @example
 * ```ts
 * const { tokens } = await generateTokens(stepper, [1, 2, 3], { maxTokens: 16, sampling: { kind: 'greedy' } });
 * ```
 */
export async function generateTokens(
  stepper: DecodeStepper,
  prompt: readonly number[],
  options: GenerateOptions,
): Promise<GenerateResult> {
  if (prompt.length === 0 || prompt.length > stepper.maxSeq) {
    throw new InputError('generate: the prompt must hold 1..maxSeq tokens', {
      tensor: 'prompt',
      expected: `1..${stepper.maxSeq} tokens`,
      actual: prompt.length,
    });
  }
  if (!(Number.isSafeInteger(options.maxTokens) && options.maxTokens >= 0)) {
    throw new InputError('generate: maxTokens must be a non-negative integer', {
      tensor: 'maxTokens',
      expected: 'an integer ≥ 0',
      actual: options.maxTokens,
    });
  }
  for (const [index, token] of prompt.entries()) {
    if (!Number.isInteger(token)) {
      throw new InputError('generate: prompt tokens must be integer ids', {
        tensor: 'prompt',
        dimension: `element ${index}`,
        expected: 'an integer token id',
        actual: token,
      });
    }
  }
  const sampler = createSampler(options.sampling ?? { kind: 'greedy' });
  const stop = new Set(options.stop ?? []);
  const tokens: number[] = [];
  stepper.reset();
  let started = performance.now();
  const prefillLogits = await stepper.step(Int32Array.from(prompt), 0);
  const prefillMs = performance.now() - started;
  let logits = prefillLogits;
  let past = prompt.length;
  let decodeSteps = 0;
  started = performance.now();
  let stopReason: StopReason = 'maxTokens';
  while (tokens.length < options.maxTokens) {
    if (tokens.length > 0) {
      if (past + 1 > stepper.maxSeq) {
        stopReason = 'maxSeq';
        break;
      }
      logits = await stepper.step(Int32Array.of(tokens[tokens.length - 1]!), past);
      past += 1;
      decodeSteps += 1;
    }
    const token = sampler.next(logits);
    tokens.push(token);
    if (options.onToken?.(token, tokens.length - 1) === false) {
      stopReason = 'callback';
      break;
    }
    if (stop.has(token)) {
      stopReason = 'stopToken';
      break;
    }
  }
  return { tokens, stopReason, prefillMs, decodeMs: performance.now() - started, decodeSteps, prefillLogits };
}
