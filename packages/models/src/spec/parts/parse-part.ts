import { SpecError } from '@weft/ir';
import * as v from 'valibot';
import { formatIssues } from '../format-issues.js';
import { expandUnionIssues } from './union-issues.js';

/**
 * Validates the JSON value at `path` (a JSON object) against `schema`, reporting every problem at
 * once, one line each with its JSON path (`layers[2].attention.mask.window: expected …, got …`).
 *
 * @throws SpecError naming `what` and listing the problems.
 */
export function parsePart<S extends v.GenericSchema>(
  what: string,
  schema: S,
  json: unknown,
  path: string,
): v.InferOutput<S> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new SpecError(`invalid ${what}: ${path === '' ? '(document)' : path} must be a JSON object`, {
      actual: Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json,
    });
  const result = v.safeParse(schema, json, { abortPipeEarly: true });
  if (result.success) return result.output;
  const lines = formatIssues(expandUnionIssues(result.issues), path);
  throw new SpecError(
    `invalid ${what} (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n  ${lines.join('\n  ')}`,
  );
}
