import { formatTable } from '@weft/ir';
import {
  type BlockAttentionJSON,
  buildModelGraph,
  graphParameters,
  layerSections,
  type ModelSpecV2,
} from '@weft/models';
import { formatBytes } from './format-bytes.js';

/**
 * Describes a version-2 model spec in aligned lines: the sizes, each distinct attention with the
 * layers that use it (after the overrides), the MLP and norm, and the exact parameter count (from
 * the graph's parameters).
 */
export function summarizeSpecV2(spec: ModelSpecV2): string[] {
  const { config } = spec;
  const byAttention = new Map<string, number[]>();
  for (const [layer, sections] of layerSections(config).entries()) {
    const text = describeAttention(sections.attention);
    byAttention.set(text, [...(byAttention.get(text) ?? []), layer]);
  }
  const attentionRows: [string, string][] = [...byAttention].map(([text, layers]) => [
    `attention ${layers.length === config.layers ? '(all layers)' : `(layers ${layers.join(', ')})`}`,
    text,
  ]);
  const norm =
    'kind' in config.norm
      ? 'hypersphere (nGPT)'
      : `${describePart(config.norm.layer)}, ${config.norm.placement ?? 'pre'}-norm`;
  const { graph } = buildModelGraph(spec, { mode: 'forward' });
  const parameters = graphParameters(graph).reduce(
    (sum, parameter) => sum + parameter.shape.reduce((product, dim) => product * dim, 1),
    0,
  );
  const rows: [string, string][] = [
    ['model', `${spec.kind} (schema v${spec.schemaVersion})`],
    ['vocabulary', `${config.vocabSize} tokens`],
    ['width', `d=${config.dModel}`],
    ['layers', String(config.layers)],
    ...attentionRows,
    ['mlp', `${config.mlp.kind}, hidden ${config.mlp.hidden}${overridden(spec, 'mlp')}`],
    ['norm', `${norm}${overridden(spec, 'norm')}`],
    ['positions', config.positions === undefined ? 'in attention' : describePart(config.positions)],
    ...(config.conditioning === undefined
      ? []
      : [['conditioning', describeConditioning(config.conditioning)] as [string, string]]),
    ['max sequence', String(config.maxSeq)],
    ['embeddings', config.tieEmbeddings ? 'tied to the LM head' : 'separate LM head'],
    ['parameters', `${parameters.toLocaleString('en-US')} (${formatBytes(parameters * 4)} as f32)`],
  ];
  return formatTable(rows).split('\n');
}

/** `timestep (16 frequencies), classLabels (10 classes), taskIds (3 tasks)`: the inputs a conditioned decoder takes. */
function describeConditioning(conditioning: NonNullable<ModelSpecV2['config']['conditioning']>): string {
  const inputs: string[] = [];
  if (conditioning.timestep !== undefined)
    inputs.push(`timestep (${conditioning.timestep.frequencies ?? 256} frequencies)`);
  if (conditioning.classLabels !== undefined)
    inputs.push(`classLabels (${conditioning.classLabels.classes} classes)`);
  if (conditioning.taskIds !== undefined) inputs.push(`taskIds (${conditioning.taskIds.tasks} tasks)`);
  return inputs.join(', ');
}

function overridden(spec: ModelSpecV2, section: 'mlp' | 'norm'): string {
  return (spec.config.overrides ?? []).some((override) => override[section] !== undefined)
    ? ' (overridden on some layers)'
    : '';
}

/** One attention in a line: heads, positions, score mods, mask, normalizer, `bidirectional`; or a Mega block's sizes. */
export function describeAttention(
  attention: Omit<BlockAttentionJSON, 'causal'> & { readonly causal?: boolean | undefined },
): string {
  const { mega } = attention;
  if (mega !== undefined)
    return `Mega block: zDim ${attention.headDim}, hDim ${attention.valueDim}, ${mega.components} EMA components, ${
      mega.attentionFunction ?? 'softmax'
    }`;
  const heads = typeof attention.heads === 'number' ? attention.heads : attention.heads.heads;
  const kvHeads =
    typeof attention.heads === 'number' ? (attention.kvHeads ?? heads) : attention.heads.kvHeads;
  if (attention.linear !== undefined) return describeLinear(heads, attention.headDim, attention.linear);
  const parts = [`${heads} heads × ${attention.headDim}, ${kvHeads} KV heads`];
  if (attention.positions !== undefined) parts.push(describePart(attention.positions));
  const score = attention.score === undefined ? [] : [attention.score].flat();
  for (const mod of score) parts.push(describePart(mod as { kind: string }));
  if (attention.mask !== undefined) parts.push(describePart(attention.mask as { kind: string }));
  parts.push(attention.normalizer === undefined ? 'softmax' : describePart(attention.normalizer));
  if (attention.causal === false) parts.push('bidirectional');
  return parts.join(', ');
}

/** A linear layer: `4 heads × 8, log-linear (chunk 4)` or `4 heads × 8, linear (elu1, lightning decay, no denominator)`. */
function describeLinear(
  heads: number,
  headDim: number,
  linear: NonNullable<BlockAttentionJSON['linear']>,
): string {
  const head = `${heads} heads × ${headDim}`;
  if (linear.kind === 'log-linear') return `${head}, log-linear (chunk ${linear.chunkSize ?? 16})`;
  const parts: string[] = [linear.featureMap?.kind ?? 'elu1'];
  if (linear.featureExpansion !== undefined) parts.push(`${linear.featureExpansion.kind} features`);
  if (linear.decay !== undefined) parts.push(`${linear.decay.kind} decay`);
  if (linear.denominator === false) parts.push('no denominator');
  if (linear.outputNorm !== undefined) parts.push(`${linear.outputNorm.kind} output norm`);
  return `${head}, linear (${parts.join(', ')})`;
}

/**
 * `slidingWindow(window 4)`, `rope`, `rmsnorm(eps 0.000001)`; a tensor reference, which a model
 * learns per layer, as `softmax(sink learned [4])`.
 */
export function describePart(part: { readonly kind: string }): string {
  const options = Object.entries(part).flatMap(([key, value]) => {
    if (key === 'kind') return [];
    if (typeof value === 'number' || typeof value === 'string') return [`${key} ${value}`];
    const shape = (value as { tensor?: unknown; shape?: unknown } | null)?.shape;
    const isTensorRef =
      typeof (value as { tensor?: unknown } | null)?.tensor === 'string' && Array.isArray(shape);
    return isTensorRef ? [`${key} learned [${(shape as number[]).join(', ')}]`] : [];
  });
  return options.length === 0 ? part.kind : `${part.kind}(${options.join(', ')})`;
}
