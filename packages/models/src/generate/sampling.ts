import { SpecError } from '@weft/ir';
import { createSeededRandom } from '../weights/seeded-random.js';

/** Always take the most likely token (the first one on ties). */
export interface GreedySampling {
  /** Discriminant. */
  readonly kind: 'greedy';
}

/**
 * Draw from the softmax of `logits / temperature`, restricted to the `topK` most likely tokens
 * and then to the smallest set whose probability reaches `topP` (nucleus sampling, Holtzman et
 * al. 2020), with a seeded stream: equal seeds give equal tokens.
 */
export interface RandomSampling {
  /** Discriminant (optional: a sampling without `kind` is random). */
  readonly kind?: 'random';
  /** Softmax temperature, > 0. Default 1. */
  readonly temperature?: number;
  /** Keep only the k most likely tokens. Default: all. */
  readonly topK?: number;
  /** Keep the smallest most-likely set with this total probability, in (0, 1]. Default 1. */
  readonly topP?: number;
  /** Seed of the stream. Default 0. */
  readonly seed?: number;
}

/** How the next token is chosen from the logits. */
export type Sampling = GreedySampling | RandomSampling;

/** Picks tokens from logits, one call per generated token. */
export interface TokenSampler {
  /** The next token for these logits (`[V]`). */
  next(logits: Float32Array): number;
}

/**
 * Creates a sampler. Random samplers own a seeded stream, so two samplers made from the same
 * settings produce the same tokens for the same logits.
 *
 * @throws SpecError for a temperature ≤ 0, a topK < 1 or a topP outside (0, 1].
 *
 * @example
 * ```ts
 * const logits = Float32Array.from({ length: 256 }, (_, token) => Math.sin(token));
 * const sampler = createSampler({ temperature: 0.8, topK: 40, topP: 0.95, seed: 7 });
 * const token = sampler.next(logits);
 * ```
 */
export function createSampler(sampling: Sampling): TokenSampler {
  if (sampling.kind === 'greedy') return { next: argmax };
  const temperature = sampling.temperature ?? 1;
  const topK = sampling.topK ?? Number.POSITIVE_INFINITY;
  const topP = sampling.topP ?? 1;
  const invalid = (option: string, expected: string, actual: unknown): never => {
    throw new SpecError(`sampling: ${option} is out of range`, { tensor: option, expected, actual });
  };
  if (!(temperature > 0 && Number.isFinite(temperature)))
    invalid('temperature', 'a finite number > 0', temperature);
  if (!(topK >= 1)) invalid('topK', 'an integer >= 1', topK);
  if (!(topP > 0 && topP <= 1)) invalid('topP', 'a number in (0, 1]', topP);
  const random = createSeededRandom(sampling.seed ?? 0);
  return {
    next(logits) {
      const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b);
      const kept = order.slice(0, Math.min(order.length, Math.floor(topK)));
      const top = logits[kept[0]!]! / temperature;
      const weights = kept.map((token) => Math.exp(logits[token]! / temperature - top));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      // Nucleus: the shortest prefix (most likely first) whose probability reaches topP.
      let count = 0;
      let mass = 0;
      while (count < kept.length && mass < topP * total) mass += weights[count++]!;
      let draw = random.nextUniform() * mass;
      for (let index = 0; index < count; index++) {
        draw -= weights[index]!;
        if (draw <= 0) return kept[index]!;
      }
      return kept[count - 1]!;
    },
  };
}

/**
 * Index of the largest logit (the first one on ties).
 *
 * @example
 * ```ts
 * const next = argmax(new Float32Array([0.1, 2.5, -1])); // 1
 * ```
 */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let index = 1; index < logits.length; index++) if (logits[index]! > logits[best]!) best = index;
  return best;
}
