import type { AttentionSpec } from '@weft/attention';
import { type Graph, SpecError } from '@weft/ir';

/**
 * What the editor holds. A JSON document, by its shape: a model spec (it has `schemaVersion`), a
 * zoo entry by id (`{ "zoo": "layer-norm" }`, what the gallery opens), or else an attention spec.
 * A TypeScript module exports one of those, or an `AttentionSpec` (`attention(...)`) or a graph.
 */
export type PlaygroundDocument =
  | { readonly kind: 'attention'; readonly json: Record<string, unknown> }
  | { readonly kind: 'model'; readonly json: Record<string, unknown> }
  | { readonly kind: 'zoo'; readonly id: string }
  | { readonly kind: 'attention-spec'; readonly spec: AttentionSpec }
  | { readonly kind: 'graph'; readonly graph: Graph };

/**
 * Parses the editor's text into a {@link PlaygroundDocument}. Only the JSON syntax and the
 * document's kind are checked here; the spec itself is checked by `@weft/models` when it is built.
 *
 * @throws SpecError naming the line and column of a JSON syntax error, or a top level that is not an object.
 */
export function parsePlaygroundDocument(text: string): PlaygroundDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SpecError(`the spec is not valid JSON: ${syntaxMessage(text, error)}`);
  }
  return jsonDocument(value);
}

/**
 * The document of a parsed JSON value (or a plain object a TypeScript spec exports).
 *
 * @throws SpecError for a top level that is not an object, or a zoo document with more keys.
 */
export function jsonDocument(value: unknown): PlaygroundDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpecError('the spec must be a JSON object', {
      expected: 'an attention spec, a model spec or { "zoo": <entry id> }',
      actual: Array.isArray(value) ? 'an array' : JSON.stringify(value),
    });
  }
  const json = value as Record<string, unknown>;
  if ('zoo' in json) {
    if (typeof json.zoo !== 'string' || Object.keys(json).length !== 1) {
      throw new SpecError('a zoo document is { "zoo": <entry id> } and nothing else', {
        actual: JSON.stringify(json),
      });
    }
    return { kind: 'zoo', id: json.zoo };
  }
  if ('schemaVersion' in json) return { kind: 'model', json };
  return { kind: 'attention', json };
}

/** The JSON parser's message, with the line and column its character offset points at (where it gives one). */
function syntaxMessage(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const offset = /position (\d+)/.exec(message);
  if (offset === null) return message;
  const before = text.slice(0, Number(offset[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
