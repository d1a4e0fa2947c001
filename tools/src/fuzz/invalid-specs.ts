import { WeftError } from '@weft/ir';
import { attentionOptionsCase } from './invalid-attention-options.js';
import type { InvalidCase, InvalidResult } from './invalid-case.js';
import { jsonModelCase, NotBuilt } from './invalid-model-json.js';
import { Prng } from './prng.js';

export type { InvalidCase, InvalidOutcome, InvalidResult } from './invalid-case.js';

/** Draws invalid case `seed` (JSON model specs and attention options, half each). */
export function invalidCase(seed: number): InvalidCase {
  return new Prng(seed ^ 0x68e31da4).chance(0.5) ? jsonModelCase(seed) : attentionOptionsCase(seed);
}

/** Runs one invalid case: it must throw a `WeftError`. */
export function runInvalidCase(testCase: InvalidCase): InvalidResult {
  const base = {
    source: testCase.source,
    seed: testCase.seed,
    mutation: testCase.mutation,
    junk: testCase.junk,
  };
  try {
    testCase.run();
  } catch (error) {
    if (WeftError.isInstance(error))
      return { ...base, outcome: 'typed', message: `${error.name}: ${error.message}` };
    if (error instanceof NotBuilt) return { ...base, outcome: 'accepted', message: error.message };
    const message = error instanceof Error ? `${error.name}: ${error.message}` : `thrown ${String(error)}`;
    return { ...base, outcome: 'untyped', message: message.slice(0, 300) };
  }
  return { ...base, outcome: 'accepted' };
}
