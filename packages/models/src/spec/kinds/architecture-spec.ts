import { SpecError } from '@weft/ir';
import * as v from 'valibot';
import type { DitDefinition } from '../../architectures/dit.js';
import type { EncoderDefinition } from '../../architectures/encoder.js';
import type { EncoderDecoderDefinition } from '../../architectures/encoder-decoder.js';
import type { VitDefinition } from '../../architectures/vit.js';
import { formatIssues } from '../format-issues.js';
import { unknownKindMessage } from '../parts/part-kinds.js';
import { expandUnionIssues } from '../parts/union-issues.js';
import { ditDefinitionOfJSON, ditSpecSchema } from './dit-spec.js';
import { encoderDecoderDefinitionOfJSON, encoderDecoderSpecSchema } from './encoder-decoder-spec.js';
import { encoderDefinitionOfJSON, encoderSpecSchema } from './encoder-spec.js';
import { vitDefinitionOfJSON, vitSpecSchema } from './vit-spec.js';

/** The document schemas of the architecture kinds of model spec v2, one per kind. */
export const ARCHITECTURE_SPEC_SCHEMAS = [
  encoderSpecSchema,
  vitSpecSchema,
  ditSpecSchema,
  encoderDecoderSpecSchema,
] as const;

/** The architecture kinds of model spec v2 (besides `decoder-lm`): `encoder`, `vit`, `dit`, `encoder-decoder`. */
export const ARCHITECTURE_KINDS = ARCHITECTURE_SPEC_SCHEMAS.map((schema) => schema.entries.kind.literal);

/** An architecture kind of model spec v2. */
export type ArchitectureKind = (typeof ARCHITECTURE_KINDS)[number];

/**
 * A version-2 spec document of an architecture kind, told apart by `kind`: `encoder` (BERT
 * style), `vit`, `dit` or `encoder-decoder`. Every block part uses the vocabulary of `decoder-lm`
 * (attention specs in JSON, norm layers, MLP kinds, residual forms, per-layer overrides).
 */
export const architectureSpecSchema = v.variant(
  'kind',
  ARCHITECTURE_SPEC_SCHEMAS,
  unknownKindMessage('architecture', ARCHITECTURE_KINDS),
);

/** A validated spec of an architecture kind. */
export type ArchitectureSpec = v.InferOutput<typeof architectureSpecSchema>;

/** A spec of an architecture kind as written in JSON. */
export type ArchitectureSpecInput = v.InferInput<typeof architectureSpecSchema>;

/** The TS definition an architecture spec describes, with its kind. */
export type ArchitectureDefinition =
  | { readonly kind: 'encoder'; readonly definition: EncoderDefinition }
  | { readonly kind: 'vit'; readonly definition: VitDefinition }
  | { readonly kind: 'dit'; readonly definition: DitDefinition }
  | { readonly kind: 'encoder-decoder'; readonly definition: EncoderDecoderDefinition };

/**
 * Whether a (parsed) document is of an architecture kind: schema version 2 and one of
 * {@link ARCHITECTURE_KINDS}.
 *
 * @example
 * ```ts
 * isArchitectureDocument({ schemaVersion: 2, kind: 'vit', config: {} }); // true
 * ```
 */
export function isArchitectureDocument(document: unknown): boolean {
  if (typeof document !== 'object' || document === null) return false;
  const { schemaVersion, kind } = document as { schemaVersion?: unknown; kind?: unknown };
  return schemaVersion === 2 && (ARCHITECTURE_KINDS as readonly unknown[]).includes(kind);
}

/**
 * The TS definition of a validated architecture spec: `buildEncoderGraph`'s, `buildVitGraph`'s,
 * `buildDitGraph`'s or `buildEncoderDecoderGraph`'s.
 *
 * @throws SpecError with the JSON path of an attention section whose builder refused it.
 *
 * @example
 * ```ts fragment
 * const { kind, definition } = architectureDefinitionOf(spec);
 * if (kind === 'vit') buildVitGraph(definition);
 * ```
 */
export function architectureDefinitionOf(spec: ArchitectureSpec): ArchitectureDefinition {
  switch (spec.kind) {
    case 'encoder':
      return { kind: spec.kind, definition: encoderDefinitionOfJSON(spec.config) };
    case 'vit':
      return { kind: spec.kind, definition: vitDefinitionOfJSON(spec.config) };
    case 'dit':
      return { kind: spec.kind, definition: ditDefinitionOfJSON(spec.config) };
    case 'encoder-decoder':
      return { kind: spec.kind, definition: encoderDecoderDefinitionOfJSON(spec.config) };
  }
}

/**
 * Validates a spec document of an architecture kind and returns it. Every schema problem is
 * reported at once with its JSON path; then each layer's attention is built, so that a builder's
 * own check (kvHeads dividing heads) is reported with the path of its section.
 *
 * @throws SpecError listing every problem found.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseArchitectureSpec(JSON.parse(readFileSync('vit.json', 'utf8')));
 * ```
 */
export function parseArchitectureSpec(document: unknown): ArchitectureSpec {
  const result = v.safeParse(architectureSpecSchema, document, { abortPipeEarly: true });
  if (!result.success) throw invalidSpec(formatIssues(expandUnionIssues(result.issues)));
  try {
    architectureDefinitionOf(result.output);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    throw invalidSpec([error.message]);
  }
  return result.output;
}

function invalidSpec(lines: readonly string[]): SpecError {
  return new SpecError(
    `invalid model spec (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n  ${lines.join('\n  ')}`,
  );
}
