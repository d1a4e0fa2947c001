import { SpecError } from '@weft/ir';
import * as v from 'valibot';
import { decoderDefinitionOfV2 } from '../model/decoder-definition-v2.js';
import { formatIssues } from './format-issues.js';
import { isArchitectureDocument } from './kinds/architecture-spec.js';
import { modelSpecSchema } from './model-spec-schema.js';
import type { ModelSpec, ModelSpecInput } from './model-spec-types.js';
import { MODEL_SPEC_V2_SCHEMA_VERSION, modelSpecV2Schema } from './model-spec-v2-schema.js';
import type { AnyModelSpec, ModelSpecV2, ModelSpecV2Input } from './model-spec-v2-types.js';
import { expandUnionIssues } from './parts/union-issues.js';

/**
 * Validates a model spec document (a parsed JSON value) and returns it with defaults filled in.
 * `"schemaVersion": 1` is the Llama-style decoder config; `"schemaVersion": 2` the decoder whose
 * blocks use the parts vocabulary (attention specs, norm layers, MLPs, residuals) with per-layer
 * overrides, checked down to each layer's attention builder. Every schema problem is reported at
 * once, one line each, with its JSON path, e.g.
 * `config.kvHeads: expected a positive integer dividing heads (8), got 3`.
 *
 * @throws SpecError listing every problem found.
 *
 * @example
 * ```ts
 * const spec = parseModelSpec({
 *   schemaVersion: 1,
 *   kind: 'decoder-lm',
 *   config: { vocabSize: 48, dModel: 32, layers: 2, heads: 4, kvHeads: 2, headDim: 8, mlp: { kind: 'swiglu', hidden: 48 }, norm: { kind: 'rmsnorm', eps: 1e-6 }, positions: { kind: 'rope' }, maxSeq: 16 },
 * });
 * ```
 */
export function parseModelSpec(document: ModelSpec | ModelSpecInput): ModelSpec;
export function parseModelSpec(document: ModelSpecV2 | ModelSpecV2Input): ModelSpecV2;
export function parseModelSpec(document: unknown): AnyModelSpec;
export function parseModelSpec(document: unknown): AnyModelSpec {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new SpecError('invalid model spec: the document must be a JSON object', {
      expected: '{ schemaVersion, kind, config }',
      actual: Array.isArray(document) ? 'an array' : document === null ? 'null' : typeof document,
    });
  }
  if (isArchitectureDocument(document)) {
    throw new SpecError(
      `kind "${(document as { kind: string }).kind}" is not a decoder LM: read it with parseSpecDocument`,
      { expected: 'kind "decoder-lm"', actual: (document as { kind: string }).kind },
    );
  }
  if ((document as { schemaVersion?: unknown }).schemaVersion === MODEL_SPEC_V2_SCHEMA_VERSION) {
    const result = v.safeParse(modelSpecV2Schema, document, { abortPipeEarly: true });
    if (!result.success) throw invalidSpec(formatIssues(expandUnionIssues(result.issues)));
    // The builders' own checks (kvHeads dividing heads, a rope leaving no pair, a conditional norm
    // without its conditioning input) with their paths.
    try {
      decoderDefinitionOfV2(result.output.config);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      throw invalidSpec([error.message]);
    }
    return result.output;
  }
  const result = v.safeParse(modelSpecSchema, document, { abortPipeEarly: true });
  if (result.success) return result.output;
  throw invalidSpec(formatIssues(result.issues));
}

function invalidSpec(lines: readonly string[]): SpecError {
  return new SpecError(
    `invalid model spec (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n  ${lines.join('\n  ')}`,
  );
}

/**
 * Parses JSON text and validates it as a model spec (see {@link parseModelSpec}).
 *
 * @throws SpecError when the text is not JSON or the document is not a valid spec.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('small-decoder.json', 'utf8')); // a SpecError names the bad key
 * ```
 */
export function parseModelSpecJSON(text: string): AnyModelSpec {
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
 *
 * @example
 * ```ts
 * import { readFileSync, writeFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('small-decoder.json', 'utf8'));
 * writeFileSync('normalized.json', modelSpecToJSON(spec)); // with every default written out
 * ```
 */
export function modelSpecToJSON(spec: AnyModelSpec): string {
  return `${JSON.stringify(parseModelSpec(spec as unknown), null, 2)}\n`;
}
