import type { AttentionSpec } from '@weft/attention';
import type { LinearAttentionSpec } from '@weft/attention/linear';
import { type Node, SpecError } from '@weft/ir';
import { attentionOptionsOf, type BlockAttention } from '../blocks/attention-part.js';
import type { BlockNorm } from '../blocks/block-norm.js';
import { adaptiveLayerNorm, taskLayerNormLayer } from '../blocks/conditional-norm-layers.js';
import type { LogLinearLayerSpec } from '../blocks/log-linear-attention-block.js';
import type { MegaLayerSpec } from '../blocks/mega-layer.js';
import type { MlpOptions } from '../blocks/mlp.js';
import type { NormLayer } from '../blocks/norm-layer.js';
import {
  fixNormLayer,
  hypersphereNormLayer,
  l2NormLayer,
  layerNormLayer,
  rmsNormLayer,
  scaleNormLayer,
  simpleRmsNormLayer,
} from '../blocks/norm-layers.js';
import type { DecoderConditioningJSON } from '../spec/conditioning-schema.js';
import { type LayerSections, layerSections } from '../spec/layer-overrides.js';
import type { BlockNormJSON, DecoderLmConfigV2, DecoderNormLayerJSON } from '../spec/model-spec-v2-types.js';
import { linearAttentionOfJSON } from '../spec/parts/linear-attention-json.js';
import { isLogLinearSection, logLinearLayerOfJSON } from '../spec/parts/log-linear-attention-json.js';
import { megaLayerOfJSON } from '../spec/parts/mega-layer-json.js';
import {
  hasTensorRefs,
  type ModelAttention,
  modelAttentionFromJSON,
} from '../spec/parts/model-attention-tensors.js';
import type { NormLayerJSON } from '../spec/parts/norm-layer-json.js';
import { optionsOf, withoutUndefined } from '../spec/parts/options-of.js';
import type { DecoderConditioning } from './decoder-conditioning.js';
import type { DecoderBlockOptions, DecoderLmDefinition } from './decoder-graph.js';

/** One layer of a v2 spec, resolved: its block options and the sizes the memory estimate needs. */
export interface ResolvedDecoderLayer {
  /** The transformer block's options. */
  readonly block: DecoderBlockOptions;
  /**
   * The attention spec (before the block adds `causal()` and names it), a (log-)linear layer's
   * spec, or a Mega layer.
   */
  readonly attention: AttentionSpec | LinearAttentionSpec | LogLinearLayerSpec | MegaLayerSpec;
  /** The MLP. */
  readonly mlp: MlpOptions;
}

/**
 * Resolves every layer of a v2 config: the overrides merged (see `layerSections`), each layer's
 * attention built by `modelAttentionFromJSON` (a tensor reference is the per-layer parameter
 * `layers.{i}.attn.<name>`; equal sections without one share one spec), norm layers made by the
 * `@weft/norms`-backed constructors.
 *
 * @throws SpecError with the JSON path of the section whose builder refused it and the layer.
 */
export function resolveDecoderLayers(config: DecoderLmConfigV2): ResolvedDecoderLayer[] {
  const built = new Map<string, ModelAttention>();
  return layerSections(config).map((sections, layer) => {
    const place = { layer, layers: config.layers };
    const recurrent = recurrentLayerOf(sections, layer, place, config.maxSeq);
    const { spec: attention, tensors } =
      recurrent === undefined ? attentionOf(sections, layer, built) : { spec: recurrent, tensors: {} };
    const mlp = mlpOf(sections, layer);
    const block: DecoderBlockOptions = {
      attention: recurrent ?? blockAttentionOf(attention as AttentionSpec, tensors, sections),
      mlp,
      norm: decoderBlockNormOf(sections.norm, config.conditioning, `${sections.normPath}.layer`, layer),
      ...(sections.residual === undefined
        ? {}
        : { residual: residualOf(sections, config.conditioning, layer) }),
    };
    return { block, attention, mlp };
  });
}

/**
 * A layer's linear or log-linear attention (`linear`) or Mega block (`mega`), which keep a state,
 * not only a KV cache.
 */
function recurrentLayerOf(
  sections: LayerSections,
  layer: number,
  place: { readonly layer: number; readonly layers: number },
  maxSeq: number,
): LinearAttentionSpec | LogLinearLayerSpec | MegaLayerSpec | undefined {
  const { attention, attentionPath } = sections;
  const name = `layers.${layer}.attn`;
  if (attention.mega !== undefined) return megaLayerOfJSON(attention, attentionPath, `layers.${layer}.mega`);
  if (attention.linear === undefined) return undefined;
  return isLogLinearSection(attention)
    ? logLinearLayerOfJSON(attention, attentionPath, name, maxSeq)
    : linearAttentionOfJSON(attention, attentionPath, name, place);
}

/**
 * The {@link DecoderLmDefinition} a v2 config describes (build it with `buildDecoderGraph`). The
 * final norm is `finalNorm` when given (`null`: none), else the blocks' norm layer unless they are
 * post-norm or hypersphere blocks.
 *
 * @example
 * ```ts fragment
 * const spec = parseModelSpecJSON(readFileSync('hybrid-decoder.json', 'utf8'));
 * if (spec.schemaVersion === 2) buildDecoderGraph(decoderDefinitionOfV2(spec.config), { mode: 'step' });
 * ```
 */
export function decoderDefinitionOfV2(config: DecoderLmConfigV2): DecoderLmDefinition {
  const layers = resolveDecoderLayers(config);
  const finalNorm = finalNormOf(config);
  const conditioning = decoderConditioningOf(config.conditioning);
  return {
    vocabSize: config.vocabSize,
    dModel: config.dModel,
    layers: config.layers,
    maxSeq: config.maxSeq,
    block: (layer) => layers[layer]!.block,
    ...(finalNorm === undefined ? {} : { finalNorm }),
    ...(config.positions === undefined ? {} : { embeddingPositions: config.positions }),
    tieEmbeddings: config.tieEmbeddings,
    ...(config.embeddingScale === undefined ? {} : { embeddingScale: config.embeddingScale }),
    ...(config.logitSoftcap === undefined ? {} : { logitSoftcap: config.logitSoftcap }),
    ...(conditioning === undefined ? {} : { conditioning }),
  };
}

/** The `DecoderConditioning` of a v2 config's `conditioning`. */
function decoderConditioningOf(json: DecoderConditioningJSON | undefined): DecoderConditioning | undefined {
  if (json === undefined) return undefined;
  const { timestep, classLabels, taskIds } = json;
  return {
    ...(timestep === undefined ? {} : { timestep: withoutUndefined(timestep) }),
    ...(classLabels === undefined ? {} : { classes: classLabels.classes }),
    ...(taskIds === undefined ? {} : { taskIds: true }),
  };
}

/**
 * The norm layer of a `decoder-lm` norm layer in JSON: the conditional kinds `adaLn` →
 * `adaptiveLayerNorm(options)` and `taskLayerNorm` → `taskLayerNormLayer({ tasks, eps })` with the
 * tasks of `conditioning.taskIds`, any other kind by {@link normLayerOfJSON}.
 *
 * @throws SpecError naming `path` (and the layer) when the input the layer reads is not in `conditioning`.
 */
export function decoderNormLayerOfJSON(
  json: DecoderNormLayerJSON,
  conditioning: DecoderConditioningJSON | undefined,
  path: string,
  layer?: number,
): NormLayer {
  const fail = (message: string): never => {
    throw new SpecError(`${layer === undefined ? '' : `layer ${layer}: `}${path}: ${message}`);
  };
  switch (json.kind) {
    case 'adaLn':
      if (conditioning?.timestep === undefined && conditioning?.classLabels === undefined)
        fail(
          'adaLn reads the conditioning vector: declare config.conditioning.timestep or config.conditioning.classLabels',
        );
      return adaptiveLayerNorm(optionsOf(json));
    case 'taskLayerNorm': {
      const tasks = conditioning?.taskIds?.tasks;
      if (tasks === undefined)
        return fail('taskLayerNorm reads task ids: declare config.conditioning.taskIds');
      return taskLayerNormLayer({ tasks: tasks as number, ...optionsOf(json) });
    }
    default:
      return normLayerOfJSON(json);
  }
}

/** A layer's residual rule; `adaLnZero` reads the conditioning vector, which `conditioning` must declare. */
function residualOf(
  sections: LayerSections,
  conditioning: DecoderConditioningJSON | undefined,
  layer: number,
): { readonly kind: 'add' | 'layerScale' | 'adaLnZero' } {
  const kind = sections.residual!.kind;
  if (kind === 'adaLnZero' && conditioning?.timestep === undefined && conditioning?.classLabels === undefined)
    throw new SpecError(
      `layer ${layer}: ${sections.residualPath}: adaLnZero reads the conditioning vector: declare config.conditioning.timestep or config.conditioning.classLabels`,
    );
  return { kind };
}

/** {@link blockNormOf} for a `decoder-lm` block, whose norm layer may be conditional (see {@link decoderNormLayerOfJSON}). */
function decoderBlockNormOf(
  norm: BlockNormJSON<DecoderNormLayerJSON>,
  conditioning: DecoderConditioningJSON | undefined,
  path: string,
  layer: number,
): BlockNorm {
  if ('kind' in norm) return blockNormOf(norm);
  return {
    layer: decoderNormLayerOfJSON(norm.layer, conditioning, path, layer),
    placement: norm.placement ?? 'pre',
  };
}

/**
 * The norm layer of a norm layer in JSON: `rmsnorm` → `rmsNormLayer(options)`, `layernorm` →
 * `layerNormLayer(options)`, and so on for every kind of `normLayerSchema`.
 *
 * @example
 * ```ts
 * normLayerOfJSON({ kind: 'rmsnorm', eps: 1e-6 }); // rmsNormLayer({ eps: 1e-6 })
 * ```
 */
export function normLayerOfJSON(json: NormLayerJSON): NormLayer {
  switch (json.kind) {
    case 'rmsnorm':
      return rmsNormLayer(optionsOf(json));
    case 'simplermsnorm':
      return simpleRmsNormLayer(optionsOf(json));
    case 'layernorm':
      return layerNormLayer(optionsOf(json));
    case 'scalenorm':
      return scaleNormLayer(optionsOf(json));
    case 'l2norm':
      return l2NormLayer(optionsOf(json));
    case 'fixnorm':
      return fixNormLayer(optionsOf(json));
    case 'hypersphere':
      return hypersphereNormLayer(optionsOf(json));
  }
}

function mlpOf(sections: LayerSections, layer: number): MlpOptions {
  const { kind, hidden, bias, approximate } = sections.mlp;
  if (approximate === 'tanh' && kind !== 'gelu' && kind !== 'geglu') {
    throw new SpecError(
      `layer ${layer}: ${sections.mlpPath}.approximate: "tanh" is for the gelu and geglu kinds, got kind "${kind}"`,
    );
  }
  return {
    kind,
    hidden,
    ...(bias === undefined ? {} : { bias }),
    ...(approximate === undefined ? {} : { approximate }),
  };
}

/** The layer's attention; sections without tensor references (which name per-layer parameters) are built once. */
function attentionOf(
  sections: LayerSections,
  layer: number,
  built: Map<string, ModelAttention>,
): ModelAttention {
  const { causal: _causal, bias: _bias, outputBias: _outputBias, ...parts } = sections.attention;
  const key = hasTensorRefs(parts) ? undefined : JSON.stringify(parts);
  const known = key === undefined ? undefined : built.get(key);
  if (known !== undefined) return known;
  const attention = modelAttentionFromJSON(parts, {
    path: sections.attentionPath,
    block: `layers.${layer}.attn`,
    layer,
  });
  if (key !== undefined) built.set(key, attention);
  return attention;
}

/** The spec value as is (the block's defaults), or its options with the block settings and parameters given. */
function blockAttentionOf(
  spec: AttentionSpec,
  tensors: Readonly<Record<string, Node>>,
  sections: LayerSections,
): BlockAttention {
  const { causal, bias, outputBias } = sections.attention;
  const hasTensors = Object.keys(tensors).length > 0;
  if ((causal ?? true) && !(bias ?? false) && !(outputBias ?? false) && !hasTensors) return spec;
  return {
    ...attentionOptionsOf(spec),
    ...(hasTensors ? { tensors } : {}),
    ...(causal === undefined ? {} : { causal }),
    ...(bias === undefined ? {} : { bias }),
    ...(outputBias === undefined ? {} : { outputBias }),
  };
}

/**
 * The block norm of a block norm in JSON: `{ layer, placement }` with the layer made by
 * {@link normLayerOfJSON} (placement `pre` when absent), or nGPT's hypersphere block.
 *
 * @example
 * ```ts
 * blockNormOf({ layer: { kind: 'layernorm' }, placement: 'post' }); // { layer: layerNormLayer({}), placement: 'post' }
 * ```
 */
export function blockNormOf(norm: BlockNormJSON): BlockNorm {
  if ('kind' in norm)
    return norm.alphaScale === undefined
      ? { kind: 'hypersphere' }
      : { kind: 'hypersphere', alphaScale: norm.alphaScale };
  return { layer: normLayerOfJSON(norm.layer), placement: norm.placement ?? 'pre' };
}

function finalNormOf(config: DecoderLmConfigV2): NormLayer | undefined {
  if (config.finalNorm === null) return undefined;
  if (config.finalNorm !== undefined)
    return decoderNormLayerOfJSON(config.finalNorm, config.conditioning, 'config.finalNorm');
  const { norm } = config;
  if ('kind' in norm || norm.placement === 'post') return undefined;
  return decoderNormLayerOfJSON(norm.layer, config.conditioning, 'config.norm.layer');
}
