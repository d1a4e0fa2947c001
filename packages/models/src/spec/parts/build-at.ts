import { SpecError, WeftError } from '@weft/ir';
import { joinPath } from '../format-issues.js';

/** The path of `key` under `path`: `mask` + `masks` → `mask.masks`, `score` + 1 → `score[1]`. */
export function childPath(path: string, key: string | number): string {
  return joinPath(path, typeof key === 'number' ? `[${key}]` : key);
}

/**
 * Runs a builder for the JSON value at `path`; a Weft error it throws (a `SpecError` of
 * `slidingWindow`, `attention`, …) is thrown again as a `SpecError` whose message starts with the path.
 */
export function buildAt<T>(path: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!WeftError.isInstance(error)) throw error;
    throw new SpecError(`${path === '' ? '(document)' : path}: ${error.message}`);
  }
}
