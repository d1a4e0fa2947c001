import {
  anchorBlocks,
  and,
  blockCausal,
  blockTable,
  causal,
  chunked,
  documentMask,
  fixedSparse,
  flexPrefillSelection,
  keyPadding,
  keySelection,
  type Mask,
  maskFrom,
  mobaSelection,
  not,
  or,
  overlappingChunks,
  patternInjectedHeads,
  prefixLM,
  slidingWindow,
  stridedSparse,
} from '@weft/attention';
import * as v from 'valibot';
import { nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber } from '../number-schemas.js';
import { buildAt, childPath } from './build-at.js';
import { optionsOf } from './options-of.js';
import { unknownKindMessage } from './part-kinds.js';
import { patternInjectedHeadsSchema, patternOptions } from './score-json.js';
import { tensorRefFromJSON, tensorRefSchema, withTensorRefs } from './tensor-ref-json.js';

const align = v.optional(v.picklist(['top-left', 'bottom-right']));

/** The valibot schemas of the built-in masks but the combinators, one strict object per kind. */
export const LEAF_MASK_SCHEMAS = [
  v.strictObject({ kind: v.literal('causal'), align }),
  v.strictObject({ kind: v.literal('slidingWindow'), window: positiveInteger(), align }),
  v.strictObject({ kind: v.literal('prefixLM'), prefix: nonNegativeInteger(), align }),
  v.strictObject({ kind: v.literal('chunked'), size: positiveInteger(), align }),
  v.strictObject({
    kind: v.literal('overlappingChunks'),
    size: positiveInteger(),
    overlap: nonNegativeInteger(),
    align,
  }),
  v.strictObject({ kind: v.literal('blockCausal'), size: positiveInteger(), align }),
  v.strictObject({ kind: v.literal('anchorBlocks'), size: positiveInteger(), align }),
  v.strictObject({ kind: v.literal('stridedSparse'), stride: positiveInteger(), align }),
  v.strictObject({
    kind: v.literal('fixedSparse'),
    stride: positiveInteger(),
    summary: positiveInteger(),
    align,
  }),
  v.strictObject({
    kind: v.literal('documentMask'),
    segmentIds: tensorRefSchema,
    keySegmentIds: v.optional(tensorRefSchema),
    sorted: v.optional(v.boolean()),
  }),
  v.strictObject({ kind: v.literal('keyPadding'), lengths: tensorRefSchema }),
  v.strictObject({
    kind: v.literal('keySelection'),
    selected: tensorRefSchema,
    prefix: v.optional(nonNegativeInteger()),
  }),
  v.strictObject({
    kind: v.literal('maskFrom'),
    tensor: tensorRefSchema,
    skipEmptyTiles: v.optional(v.boolean()),
  }),
  v.strictObject({
    kind: v.literal('blockTable'),
    table: tensorRefSchema,
    blockSize: positiveInteger(),
    tokens: v.optional(tensorRefSchema),
  }),
  v.strictObject({
    kind: v.literal('flexPrefillSelection'),
    blockSize: positiveInteger(),
    gamma: positiveNumber(),
    tau: v.optional(nonNegativeNumber()),
    minBudget: v.optional(positiveInteger()),
    maxBudget: v.optional(positiveInteger()),
    name: v.optional(v.string()),
  }),
  v.strictObject({
    kind: v.literal('mobaSelection'),
    blockSize: positiveInteger(),
    topK: positiveInteger(),
    gate: v.optional(v.picklist(['token', 'block'])),
    name: v.optional(v.string()),
  }),
  patternInjectedHeadsSchema,
] as const;

const COMBINATOR_KINDS = ['and', 'or', 'not'] as const;

/** The built-in mask kinds of the JSON vocabulary, each the `@weft/attention` builder of that name. */
export const MASK_KINDS = [
  ...LEAF_MASK_SCHEMAS.map((schema) => schema.entries.kind.literal),
  ...COMBINATOR_KINDS,
];

/** A built-in mask in JSON other than a combinator, e.g. `{ "kind": "slidingWindow", "window": 4096 }`. */
export type LeafMaskJSON = v.InferOutput<(typeof LEAF_MASK_SCHEMAS)[number]>;

/**
 * A mask in JSON: a built-in mask, a combinator of masks (`{ "kind": "and" | "or", "masks": [...] }`,
 * `{ "kind": "not", "mask": ... }`), or a mask of the user's own (`{ "kind": "myMask", ... }`).
 */
export type MaskJSON =
  | LeafMaskJSON
  | { readonly kind: 'and' | 'or'; readonly masks: readonly MaskJSON[] }
  | { readonly kind: 'not'; readonly mask: MaskJSON }
  | { readonly kind: string; readonly [option: string]: unknown };

/** A mask of the user's own: a factory of masks, called with the JSON options but `kind`. */
export type MaskFactory = (options: Readonly<Record<string, unknown>>) => Mask;

/**
 * The mask schema: the built-in kinds, the combinators (recursive), and the kinds in `user` (any
 * options, which their factory checks). An unknown kind is an issue listing the known ones.
 */
export function maskSchemaFor(user: readonly string[]): v.GenericSchema<MaskJSON> {
  const mask: v.GenericSchema<MaskJSON> = v.variant(
    'kind',
    [
      ...LEAF_MASK_SCHEMAS,
      v.strictObject({
        kind: v.literal('and'),
        masks: v.pipe(v.array(v.lazy(() => mask)), v.minLength(1, 'expected at least one mask')),
      }),
      v.strictObject({
        kind: v.literal('or'),
        masks: v.pipe(v.array(v.lazy(() => mask)), v.minLength(1, 'expected at least one mask')),
      }),
      v.strictObject({ kind: v.literal('not'), mask: v.lazy(() => mask) }),
      ...user.map((kind) => v.looseObject({ kind: v.literal(kind) })),
    ],
    unknownKindMessage('mask', [...MASK_KINDS, ...user]),
  ) as v.GenericSchema<MaskJSON>;
  return mask;
}

/** The `Mask` of a validated JSON mask at `path`. */
export function maskFromJSON(
  json: MaskJSON,
  path: string,
  user: Readonly<Record<string, MaskFactory>>,
): Mask {
  if (json.kind === 'and' || json.kind === 'or') {
    const masks = (json.masks as readonly MaskJSON[]).map((part, index) =>
      maskFromJSON(part, childPath(childPath(path, 'masks'), index), user),
    );
    return buildAt(path, () => (json.kind === 'and' ? and(...masks) : or(...masks)));
  }
  if (json.kind === 'not') {
    const mask = maskFromJSON(json.mask as MaskJSON, childPath(path, 'mask'), user);
    return buildAt(path, () => not(mask));
  }
  return buildAt(path, () => {
    const builtin = builtinMask(json as LeafMaskJSON);
    if (builtin !== undefined) return builtin;
    const { kind, ...options } = json;
    return user[kind]!(withTensorRefs(options) as Record<string, unknown>);
  });
}

function builtinMask(json: LeafMaskJSON): Mask | undefined {
  switch (json.kind) {
    case 'causal':
      return causal(optionsOf(json));
    case 'slidingWindow': {
      const { window, ...options } = optionsOf(json);
      return slidingWindow(window, options);
    }
    case 'prefixLM': {
      const { prefix, ...options } = optionsOf(json);
      return prefixLM(prefix, options);
    }
    case 'chunked': {
      const { size, ...options } = optionsOf(json);
      return chunked(size, options);
    }
    case 'overlappingChunks': {
      const { size, overlap, ...options } = optionsOf(json);
      return overlappingChunks(size, overlap, options);
    }
    case 'blockCausal': {
      const { size, ...options } = optionsOf(json);
      return blockCausal(size, options);
    }
    case 'anchorBlocks': {
      const { size, ...options } = optionsOf(json);
      return anchorBlocks(size, options);
    }
    case 'stridedSparse': {
      const { stride, ...options } = optionsOf(json);
      return stridedSparse(stride, options);
    }
    case 'fixedSparse': {
      const { stride, summary, ...options } = optionsOf(json);
      return fixedSparse(stride, summary, options);
    }
    case 'documentMask':
      return documentMask(tensorRefFromJSON(json.segmentIds), {
        ...(json.keySegmentIds === undefined ? {} : { keySegmentIds: tensorRefFromJSON(json.keySegmentIds) }),
        ...(json.sorted === undefined ? {} : { sorted: json.sorted }),
      });
    case 'keyPadding':
      return keyPadding(tensorRefFromJSON(json.lengths));
    case 'keySelection':
      return keySelection(
        tensorRefFromJSON(json.selected),
        json.prefix === undefined ? {} : { prefix: json.prefix },
      );
    case 'maskFrom':
      return maskFrom(
        tensorRefFromJSON(json.tensor),
        json.skipEmptyTiles === undefined ? {} : { skipEmptyTiles: json.skipEmptyTiles },
      );
    case 'blockTable':
      return blockTable(tensorRefFromJSON(json.table), {
        blockSize: json.blockSize,
        ...(json.tokens === undefined ? {} : { tokens: tensorRefFromJSON(json.tokens) }),
      });
    case 'mobaSelection':
      return mobaSelection(optionsOf(json));
    case 'flexPrefillSelection':
      return flexPrefillSelection(optionsOf(json));
    case 'patternInjectedHeads':
      return patternInjectedHeads(patternOptions(json)).mask;
    default:
      return undefined;
  }
}
