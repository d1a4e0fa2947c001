import { SpecError } from '@weft/ir';
import {
  ARCHITECTURE_KINDS,
  type ArchitectureSpec,
  type ArchitectureSpecInput,
  isArchitectureDocument,
  parseArchitectureSpec,
} from './kinds/architecture-spec.js';
import { parseModelSpec } from './model-spec-json.js';
import { MODEL_SPEC_V2_SCHEMA_VERSION } from './model-spec-v2-schema.js';
import type { AnyModelSpec, AnyModelSpecInput } from './model-spec-v2-types.js';
import { closestKind } from './parts/part-kinds.js';

/**
 * Any spec document Weft reads: a decoder LM (schema version 1 or 2, what `compileModel` runs) or
 * a version-2 spec of an architecture kind (`encoder`, `vit`, `dit`, `encoder-decoder`).
 */
export type SpecDocument = AnyModelSpec | ArchitectureSpec;

/** A spec document as written in JSON (fields with defaults may be omitted). */
export type SpecDocumentInput = AnyModelSpecInput | ArchitectureSpecInput;

/**
 * Whether a validated spec document is of an architecture kind (not a decoder LM).
 *
 * @example
 * ```ts fragment
 * const spec = parseSpecDocumentJSON(text);
 * if (isArchitectureSpec(spec)) buildArchitectureGraph(spec); else await compileModel(spec, options);
 * ```
 */
export function isArchitectureSpec(spec: SpecDocument): spec is ArchitectureSpec {
  return isArchitectureDocument(spec);
}

/**
 * Validates a spec document of any kind (see {@link SpecDocument}): architecture kinds by
 * `parseArchitectureSpec`, decoder LMs by `parseModelSpec`. Every problem is reported with its
 * JSON path.
 *
 * @throws SpecError listing every problem found.
 *
 * @example
 * ```ts fragment
 * parseSpecDocument({ schemaVersion: 2, kind: 'vit', config: { ... } }).kind; // 'vit'
 * ```
 */
export function parseSpecDocument(document: unknown): SpecDocument {
  if (isArchitectureDocument(document)) return parseArchitectureSpec(document);
  const { schemaVersion, kind } = (document ?? {}) as { schemaVersion?: unknown; kind?: unknown };
  if (schemaVersion === MODEL_SPEC_V2_SCHEMA_VERSION && kind !== 'decoder-lm') {
    // Neither a decoder nor an architecture: name every kind rather than the decoder's schema issues.
    const kinds = ['decoder-lm', ...ARCHITECTURE_KINDS];
    const closest = typeof kind === 'string' ? closestKind(kind, kinds) : undefined;
    throw new SpecError(
      `invalid model spec (1 problem):\n  kind: expected a model kind: ${kinds.join(', ')}; got ${JSON.stringify(kind) ?? 'nothing'}${closest === undefined ? '' : ` (did you mean "${closest}"?)`}`,
    );
  }
  return parseModelSpec(document);
}

/**
 * Parses JSON text and validates it as a spec document of any kind (see {@link parseSpecDocument}).
 *
 * @throws SpecError when the text is not JSON or the document is not a valid spec.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseSpecDocumentJSON(readFileSync('vit.json', 'utf8')); // any kind: decoder-lm, vit, encoder...
 * console.log(spec.kind);
 * ```
 */
export function parseSpecDocumentJSON(text: string): SpecDocument {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new SpecError(`model spec is not valid JSON: ${(cause as Error).message}`);
  }
  return parseSpecDocument(document);
}

/**
 * Serializes a spec document of any kind to JSON text (2-space indent, keys in schema order;
 * decoder LMs with their defaults written out), so that parsing the text gives `spec` again.
 *
 * @throws SpecError when `spec` is not valid.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const text = specDocumentToJSON(parseSpecDocumentJSON(readFileSync('vit.json', 'utf8')));
 * ```
 */
export function specDocumentToJSON(spec: SpecDocument | SpecDocumentInput): string {
  return `${JSON.stringify(parseSpecDocument(spec as unknown), null, 2)}\n`;
}
