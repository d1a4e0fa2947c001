import { genuinePart } from '../spec/validate.js';
import type { AnyNormalizerDef, Normalizer } from './normalizer-def.js';

/** The spec part of `def` with checked `options` (what a normalizer builder returns). */
export function normalizerOf(def: AnyNormalizerDef, options: unknown): Normalizer {
  return genuinePart(Object.freeze({ kind: 'normalizer', name: def.name, def, options }));
}
