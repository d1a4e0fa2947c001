import { alibi, nope, type Position, rope } from '@weft/attention';
import * as v from 'valibot';
import { numberAbove, positiveInteger, unitFraction } from '../number-schemas.js';
import { buildAt } from './build-at.js';
import { optionsOf } from './options-of.js';
import { unknownKindMessage } from './part-kinds.js';
import { tensorRefFromJSON, tensorRefSchema } from './tensor-ref-json.js';

const ropeSchema = v.strictObject({
  kind: v.literal('rope'),
  base: v.optional(numberAbove(1)),
  fraction: v.optional(unitFraction()),
  layout: v.optional(v.picklist(['half', 'interleaved'])),
  dims: v.optional(v.picklist([1, 2])),
  grid: v.optional(v.tuple([positiveInteger(), positiveInteger()])),
});

const alibiSchema = v.strictObject({
  kind: v.literal('alibi'),
  slopes: v.optional(tensorRefSchema),
  form: v.optional(v.picklist(['symmetric', 'causal'])),
});

const nopeSchema = v.strictObject({ kind: v.literal('nope') });

/** The position kinds of the JSON vocabulary, each the `@weft/attention` builder of that name. */
export const POSITION_KINDS = ['rope', 'alibi', 'nope'] as const;

/**
 * Positions in JSON: `{ "kind": "rope", "base"?, "fraction"?, "layout"?, "dims"?, "grid"? }`,
 * `{ "kind": "alibi", "slopes"?, "form"? }` or `{ "kind": "nope" }` (the options of `rope()`,
 * `alibi()`, `nope()`).
 */
export const positionSchema = v.variant(
  'kind',
  [ropeSchema, alibiSchema, nopeSchema],
  unknownKindMessage('position', POSITION_KINDS),
);

/** Positions in JSON (see {@link positionSchema}). */
export type PositionJSON = v.InferOutput<typeof positionSchema>;

/** The `Position` of validated JSON positions at `path`. */
export function positionFromJSON(json: PositionJSON, path: string): Position {
  return buildAt(path, () => {
    switch (json.kind) {
      case 'rope':
        return rope(optionsOf(json));
      case 'alibi': {
        const { slopes, ...options } = optionsOf(json);
        return alibi({ ...options, ...(slopes === undefined ? {} : { slopes: tensorRefFromJSON(slopes) }) });
      }
      case 'nope':
        return nope();
    }
  });
}
