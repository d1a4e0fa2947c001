import { SpecError } from '@weft/ir';
import type {
  BlockAttentionJSON,
  BlockMlpJSON,
  BlockNormJSON,
  DecoderLmConfigV2,
  DecoderNormLayerJSON,
  DecoderResidualJSON,
  LayerSelectorJSON,
} from './model-spec-v2-types.js';

/** A layer's block sections after the overrides, each with the JSON path it last came from. */
export interface LayerSections {
  /** The merged attention section. */
  readonly attention: BlockAttentionJSON;
  /** `config.attention`, or the last override that changed this layer's attention. */
  readonly attentionPath: string;
  /** The merged MLP section. */
  readonly mlp: BlockMlpJSON;
  /** `config.mlp`, or the last override that changed this layer's MLP. */
  readonly mlpPath: string;
  /** The norm section. */
  readonly norm: BlockNormJSON<DecoderNormLayerJSON>;
  /** `config.norm`, or the last override that replaced this layer's norm. */
  readonly normPath: string;
  /** The residual section, when one is given. */
  readonly residual: DecoderResidualJSON | undefined;
  /** `config.residual`, or the last override that replaced this layer's residual. */
  readonly residualPath: string;
}

/**
 * The layers a selector picks among `layers`, in order: `"all"`, `"even"`, `"odd"`, a list of
 * indices, or `{ every, offset }`. `path` is the selector's JSON path for errors.
 *
 * @throws SpecError for an index outside the model or a selector that picks no layer.
 */
export function selectedLayers(selector: LayerSelectorJSON, layers: number, path: string): number[] {
  const all = Array.from({ length: layers }, (_, index) => index);
  if (Array.isArray(selector)) {
    selector.forEach((index, position) => {
      if (index >= layers)
        throw new SpecError(
          `${path}[${position}]: expected a layer index below layers (${layers}), got ${index}`,
        );
    });
    return [...new Set(selector)].sort((a, b) => a - b);
  }
  let picked: number[];
  if (selector === 'all') picked = all;
  else if (selector === 'even') picked = all.filter((index) => index % 2 === 0);
  else if (selector === 'odd') picked = all.filter((index) => index % 2 === 1);
  else {
    const { every, offset = 0 } = selector as { every: number; offset?: number };
    picked = all.filter((index) => index >= offset && (index - offset) % every === 0);
  }
  if (picked.length === 0)
    throw new SpecError(`${path}: the selector picks no layer of the ${layers}`, {
      expected: 'a selector that picks at least one layer',
      actual: JSON.stringify(selector),
    });
  return picked;
}

/**
 * The block sections of every layer: the base sections of `config`, then each override in order
 * on the layers it selects. `attention` and `mlp` patches merge key by key (a value replaces the
 * key's previous value whole, `null` removes the key); `norm` and `residual` replace the section.
 *
 * @throws SpecError naming the override of a selector that picks no layer or a layer out of range.
 */
export function layerSections(config: DecoderLmConfigV2): LayerSections[] {
  const sections: LayerSections[] = Array.from({ length: config.layers }, () => ({
    attention: config.attention,
    attentionPath: 'config.attention',
    mlp: config.mlp,
    mlpPath: 'config.mlp',
    norm: config.norm,
    normPath: 'config.norm',
    residual: config.residual,
    residualPath: 'config.residual',
  }));
  (config.overrides ?? []).forEach((override, position) => {
    const path = `config.overrides[${position}]`;
    for (const layer of selectedLayers(override.layers, config.layers, `${path}.layers`)) {
      const current = sections[layer]!;
      sections[layer] = {
        attention:
          override.attention === undefined
            ? current.attention
            : mergeSection(current.attention, override.attention),
        attentionPath: override.attention === undefined ? current.attentionPath : `${path}.attention`,
        mlp: override.mlp === undefined ? current.mlp : mergeSection(current.mlp, override.mlp),
        mlpPath: override.mlp === undefined ? current.mlpPath : `${path}.mlp`,
        norm: override.norm ?? current.norm,
        normPath: override.norm === undefined ? current.normPath : `${path}.norm`,
        residual: override.residual ?? current.residual,
        residualPath: override.residual === undefined ? current.residualPath : `${path}.residual`,
      };
    }
  });
  return sections;
}

/**
 * `base` with each key of `patch` set (or removed, where the patch holds `null`): how an
 * override's section patch applies.
 *
 * @example
 * ```ts
 * const m = { kind: 'causal' };
 * mergeSection({ heads: 4, headDim: 8, mask: m }, { mask: null, headDim: 16 }); // { heads: 4, headDim: 16 }
 * ```
 */
export function mergeSection<T extends object>(base: T, patch: object): T {
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged as T;
}
