import { InputError } from '@weft/ir';
import { createSampler, type Sampling } from './sampling.js';

/** One forward step of a cached decoder: new tokens in, the last position's logits out. */
export interface DecodeStepper {
  /** Longest sequence a generation may reach (the caches' capacity, or the position limit of a windowed cache). */
  readonly maxSeq: number;
  /** Most tokens per step (a longer prompt is prefilled in chunks of this many). Default `maxSeq`. */
  readonly maxStepTokens?: number;
  /** The cache's eviction policy, described (e.g. `rollingWindow(512), 527 slots`); absent for a cache that never evicts. */
  readonly cachePolicy?: string;
  /** Positions the cache policy has evicted once `length` positions are written. Default none. */
  evictedAt?(length: number): number;
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
  /**
   * Positions the KV cache's policy evicted by the end (no later token attends to them): 0 when
   * everything fitted. Past the capacity a windowed policy keeps generating and says so here.
   */
  readonly evictedTokens: number;
  /** The cache policy that ran, when the model has an inference cache (e.g. `rollingWindow(512), 527 slots`). */
  readonly cachePolicy?: string;
}

/**
 * Prefill + decode: runs the whole prompt once (filling the caches), then one step per new token
 * with only that token as input, sampling each token from the last position's logits (a prompt
 * longer than `maxStepTokens` is prefilled in chunks). Ends at `maxTokens`, a stop token, a
 * callback returning `false`, or when the caches are full; a windowed cache policy never fills,
 * and the result counts the positions it evicted (`evictedTokens`).
 *
 * @throws InputError for an empty prompt or one longer than the caches, a non-integer token, or
 * a `maxTokens` that is negative or not an integer.
 *
 * @example
 * ```ts fragment
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
  // A prompt longer than one step is prefilled in chunks; only the last chunk's logits are used.
  const chunk = stepper.maxStepTokens ?? stepper.maxSeq;
  let prefillLogits: Float32Array = new Float32Array(0);
  for (let start = 0; start < prompt.length; start += chunk) {
    const part = prompt.slice(start, Math.min(prompt.length, start + chunk));
    prefillLogits = await stepper.step(Int32Array.from(part), start);
  }
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
  return {
    tokens,
    stopReason,
    prefillMs,
    decodeMs: performance.now() - started,
    decodeSteps,
    prefillLogits,
    evictedTokens: stepper.evictedAt?.(past) ?? 0,
    ...(stepper.cachePolicy === undefined ? {} : { cachePolicy: stepper.cachePolicy }),
  };
}
