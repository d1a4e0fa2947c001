import { SpecError } from '@weft/ir';
import * as v from 'valibot';
import { formatIssues } from './format-issues.js';
import { modelSpecSchema } from './model-spec-schema.js';
import type { ModelSpec } from './model-spec-types.js';

/**
 * Validates a model spec document (a parsed JSON value) and returns it with defaults filled in.
 * Every problem is reported at once, one line each, with its JSON path, e.g.
 * `config.kvHeads: expected a positive integer dividing heads (8), got 3`.
 *
 * @throws SpecError listing every problem found.
 */
export function parseModelSpec(document: unknown): ModelSpec {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new SpecError('invalid model spec: the document must be a JSON object', {
      expected: '{ schemaVersion, kind, config }',
      actual: Array.isArray(document) ? 'an array' : document === null ? 'null' : typeof document,
    });
  }
  const result = v.safeParse(modelSpecSchema, document, { abortPipeEarly: true });
  if (result.success) return result.output;
  const lines = formatIssues(result.issues);
  throw new SpecError(
    `invalid model spec (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n  ${lines.join('\n  ')}`,
  );
}

/**
 * Parses JSON text and validates it as a model spec (see {@link parseModelSpec}).
 *
 * @throws SpecError when the text is not JSON or the document is not a valid spec.
 */
export function parseModelSpecJSON(text: string): ModelSpec {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new SpecError(`model spec is not valid JSON: ${(cause as Error).message}`);
  }
  return parseModelSpec(document);
}

/**
 * Serializes a model spec to JSON text (2-space indent, keys in schema order, defaults written
 * out), so that `parseModelSpecJSON(modelSpecToJSON(spec))` deep-equals `spec` and
 * `modelSpecToJSON` of that result is the same text.
 *
 * @throws SpecError when `spec` is not a valid spec (an invalid one is never written).
 */
export function modelSpecToJSON(spec: ModelSpec): string {
  return `${JSON.stringify(parseModelSpec(spec), null, 2)}\n`;
}
