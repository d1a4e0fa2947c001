import { type AttentionSpec, attention, multiTokenConvolution, qkNorm, weightedGqa } from '@weft/attention';
import { SpecError } from '@weft/ir';
import { type AttentionJSON, attentionSchemasFor, attentionSpecSchema } from './attention-json-schema.js';
import { buildAt, childPath } from './build-at.js';
import { MASK_KINDS, type MaskFactory, type MaskJSON, maskFromJSON } from './mask-json.js';
import { type AnyNormalizerBuilder, NORMALIZER_KINDS, normalizerFromJSON } from './normalizer-json.js';
import { optionsOf, withoutUndefined } from './options-of.js';
import { parsePart } from './parse-part.js';
import { positionFromJSON } from './position-json.js';
import { SCORE_MOD_KINDS, type ScoreModFactory, scoreModsFromJSON } from './score-json.js';

/** Parts of the user's own that an attention spec in JSON may name by `kind`. */
export interface AttentionJSONExtensions {
  /** Normalizers made by `defineNormalizer`: `{ "kind": <def name>, ...options }` calls the builder. */
  readonly normalizers?: readonly AnyNormalizerBuilder[];
  /** Mask factories by kind: `{ "kind": "windowedCausal", "window": 64 }` calls `masks.windowedCausal({ window: 64 })`. */
  readonly masks?: Readonly<Record<string, MaskFactory>>;
  /** Score mod factories by kind, called as the mask factories are. */
  readonly scoreMods?: Readonly<Record<string, ScoreModFactory>>;
}

/** Options of {@link attentionFromJSON}. */
export interface AttentionFromJSONOptions {
  /** JSON path of the value in its document, prefixed to every error (`layers[3].attention`; default none). */
  readonly path?: string;
  /** Block name of the spec (`layers.3.attn`; default `attention`), as `attention({ name })`. */
  readonly name?: string;
  /** The user's own normalizers, masks and score mods. */
  readonly extensions?: AttentionJSONExtensions;
}

/**
 * Builds the `AttentionSpec` of an attention spec in JSON: the options of `attention()`, each part
 * written as `{ "kind": <builder name>, ...its options }` (positional arguments by name:
 * `{ "kind": "slidingWindow", "window": 4096 }`), tensors the spec reads as
 * `{ "tensor": name, "shape": [...] }`. The result equals the spec built in TypeScript from the
 * same builders. Every schema problem is reported at once with its JSON path; a builder's own
 * check (kvHeads dividing heads, a rope leaving no pair to rotate) is reported with the path of
 * the part that failed. Extensions name the user's normalizers, masks and score mods.
 *
 * @throws SpecError listing every problem, or naming the part whose builder refused it.
 *
 * @example
 * ```ts
 * const spec = attentionFromJSON({
 *   heads: 8, kvHeads: 2, headDim: 64,
 *   positions: { kind: 'rope', base: 500000 },
 *   score: [{ kind: 'softcap', cap: 50 }],
 *   mask: { kind: 'and', masks: [{ kind: 'causal' }, { kind: 'slidingWindow', window: 4096 }] },
 *   normalizer: { kind: 'softmax', sink: { tensor: 'layers.0.attn.sink', shape: [8] } },
 * }, { name: 'layers.0.attn' });
 * // the same spec as attention({ ..., positions: rope({ base: 500000 }), score: [softcap(50)], ... })
 * ```
 */
export function attentionFromJSON(json: unknown, options: AttentionFromJSONOptions = {}): AttentionSpec {
  const path = options.path ?? '';
  const extensions = options.extensions ?? {};
  const normalizers = userNormalizers(extensions.normalizers ?? []);
  const masks = userFactories('mask', extensions.masks ?? {}, MASK_KINDS);
  const scoreMods = userFactories('score mod', extensions.scoreMods ?? {}, SCORE_MOD_KINDS);
  const schema =
    normalizers.size + masks.size + scoreMods.size === 0
      ? attentionSpecSchema
      : attentionSchemasFor({
          normalizers: [...normalizers.keys()],
          masks: [...masks.keys()],
          scoreMods: [...scoreMods.keys()],
        }).attention;
  const output = parsePart('attention spec', schema, json, path);
  return buildSpec(output as AttentionJSON, path, options.name, {
    masks: Object.fromEntries(masks),
    scoreMods: Object.fromEntries(scoreMods),
    normalizers,
  });
}

interface UserParts {
  readonly masks: Readonly<Record<string, MaskFactory>>;
  readonly scoreMods: Readonly<Record<string, ScoreModFactory>>;
  readonly normalizers: ReadonlyMap<string, AnyNormalizerBuilder>;
}

function buildSpec(
  json: AttentionJSON,
  path: string,
  name: string | undefined,
  user: UserParts,
): AttentionSpec {
  const at = (key: string) => childPath(path, key);
  const heads =
    typeof json.heads === 'number'
      ? json.heads
      : buildAt(at('heads'), () => weightedGqa(optionsOf(json.heads as Exclude<typeof json.heads, number>)));
  const score =
    json.score === undefined
      ? undefined
      : Array.isArray(json.score)
        ? json.score.flatMap((mod, index) =>
            scoreModsFromJSON(mod, childPath(at('score'), index), user.scoreMods),
          )
        : scoreModsFromJSON(json.score, at('score'), user.scoreMods);
  const parts = withoutUndefined({
    kvHeads: json.kvHeads,
    valueHeads: json.valueHeads,
    valueDim: json.valueDim,
    positions: json.positions === undefined ? undefined : positionFromJSON(json.positions, at('positions')),
    qkNorm:
      json.qkNorm === undefined
        ? undefined
        : buildAt(at('qkNorm'), () => qkNorm(withoutUndefined(json.qkNorm!))),
    score,
    mask: json.mask === undefined ? undefined : maskFromJSON(json.mask as MaskJSON, at('mask'), user.masks),
    scoreMap:
      json.scoreMap === undefined
        ? undefined
        : buildAt(at('scoreMap'), () => {
            const { headMixing, groupNorm, ...sizes } = optionsOf(json.scoreMap!);
            return multiTokenConvolution({
              ...sizes,
              ...(headMixing === undefined ? {} : { headMixing: withoutUndefined(headMixing) }),
              ...(groupNorm === undefined
                ? {}
                : { groupNorm: typeof groupNorm === 'boolean' ? groupNorm : withoutUndefined(groupNorm) }),
            });
          }),
    normalizer:
      json.normalizer === undefined
        ? undefined
        : normalizerFromJSON(json.normalizer, at('normalizer'), user.normalizers),
    outputs: json.outputs === undefined ? undefined : withoutUndefined(json.outputs),
    name,
  });
  return buildAt(path, () => attention({ heads, headDim: json.headDim, ...parts }));
}

function userNormalizers(builders: readonly AnyNormalizerBuilder[]): Map<string, AnyNormalizerBuilder> {
  const byName = new Map<string, AnyNormalizerBuilder>();
  for (const builder of builders) {
    const name = (builder as { def?: { name?: unknown } } | undefined)?.def?.name;
    if (typeof builder !== 'function' || typeof name !== 'string')
      throw new SpecError(
        'attentionFromJSON: extensions.normalizers holds builders made by defineNormalizer',
      );
    if ((NORMALIZER_KINDS as readonly string[]).includes(name) || byName.has(name))
      throw new SpecError(`attentionFromJSON: normalizer kind "${name}" is defined twice`, {
        expected: 'a name no built-in or other extension uses',
        actual: name,
      });
    byName.set(name, builder);
  }
  return byName;
}

function userFactories<F>(
  what: string,
  factories: Readonly<Record<string, F>>,
  builtins: readonly string[],
): Map<string, F> {
  const byKind = new Map<string, F>();
  for (const [kind, factory] of Object.entries(factories)) {
    if (typeof factory !== 'function')
      throw new SpecError(
        `attentionFromJSON: the ${what} extension "${kind}" must be a function of its options`,
      );
    if (builtins.includes(kind))
      throw new SpecError(`attentionFromJSON: ${what} kind "${kind}" is a built-in`, {
        expected: 'a kind of your own, e.g. "myorg.windowedCausal"',
        actual: kind,
      });
    byKind.set(kind, factory);
  }
  return byKind;
}
