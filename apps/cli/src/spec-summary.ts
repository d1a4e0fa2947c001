import { formatTable } from '@weft/ir';
import { type DecoderLmConfig, isArchitectureSpec, type SpecDocument } from '@weft/models';
import { formatBytes } from './format-bytes.js';
import { summarizeArchitecture } from './spec-summary-architecture.js';
import { summarizeSpecV2 } from './spec-summary-v2.js';

/**
 * Counts the parameters a decoder LM spec declares: embeddings, per-layer attention projections
 * (no biases), MLP matrices (three for gated MLPs, two for GELU), norm gains (and LayerNorm
 * biases), the final norm (absent with post-norm), learned positions and an untied LM head.
 */
export function countDecoderParameters(config: DecoderLmConfig): number {
  const { vocabSize, dModel, heads, kvHeads, headDim, mlp, norm, positions } = config;
  const attention = dModel * headDim * (2 * heads + 2 * kvHeads);
  const feedForward = (mlp.kind === 'gelu' ? 2 : 3) * dModel * mlp.hidden;
  const normSize = (norm.kind === 'layernorm' ? 2 : 1) * dModel;
  const normsPerLayer = norm.placement === 'sandwich' ? 4 : 2;
  const perLayer = attention + feedForward + normsPerLayer * normSize;
  const finalNorm = norm.placement === 'post' ? 0 : normSize;
  const learnedPositions = positions.kind === 'learned' ? positions.max * dModel : 0;
  const head = config.tieEmbeddings ? 0 : vocabSize * dModel;
  return vocabSize * dModel + config.layers * perLayer + finalNorm + learnedPositions + head;
}

/** Describes a model spec (version 1 or 2, any kind) in a few aligned lines for the terminal. */
export function summarizeSpec(spec: SpecDocument): string[] {
  if (isArchitectureSpec(spec)) return summarizeArchitecture(spec);
  if (spec.schemaVersion === 2) return summarizeSpecV2(spec);
  const config = spec.config;
  const { positions, norm, mlp } = config;
  const positionText =
    positions.kind === 'rope'
      ? `RoPE (base ${positions.base}, fraction ${positions.fraction})`
      : positions.kind === 'learned'
        ? `learned (max ${positions.max})`
        : positions.kind;
  const layout =
    config.kvHeads === config.heads
      ? 'MHA'
      : config.kvHeads === 1
        ? 'MQA'
        : `GQA, ${config.heads / config.kvHeads} per group`;
  const parameters = countDecoderParameters(config);
  const rows: [string, string][] = [
    ['model', `${spec.kind} (schema v${spec.schemaVersion})`],
    ['vocabulary', `${config.vocabSize} tokens`],
    ['width', `d=${config.dModel}`],
    ['layers', String(config.layers)],
    ['attention', `${config.heads} heads × ${config.headDim}, ${config.kvHeads} KV heads (${layout})`],
    ['mlp', `${mlp.kind}, hidden ${mlp.hidden}`],
    ['norm', `${norm.kind} (eps ${norm.eps}), ${norm.placement}-norm`],
    ['positions', positionText],
    ['max sequence', String(config.maxSeq)],
    ['embeddings', config.tieEmbeddings ? 'tied to the LM head' : 'separate LM head'],
    ['parameters', `${parameters.toLocaleString('en-US')} (${formatBytes(parameters * 4)} as f32)`],
  ];
  return formatTable(rows).split('\n');
}
