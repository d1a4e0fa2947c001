import { type LogLinearLayerSpec, logLinearLayer } from '../../blocks/log-linear-attention-block.js';
import type { BlockAttentionJSON, LinearAttentionJSON } from '../model-spec-v2-types.js';
import { checkLinearSection, refuseLinearKey } from './linear-attention-json.js';

/** Whether a section's `linear` asks for log-linear attention (`{ "kind": "log-linear" }`). */
export function isLogLinearSection(section: BlockAttentionJSON): boolean {
  return section.linear?.kind === 'log-linear';
}

const WHAT = 'a log-linear layer ("linear": { "kind": "log-linear" })';

/**
 * The log-linear layer of a decoder layer whose attention section has
 * `"linear": { "kind": "log-linear", "chunkSize"?: n }`: heads, headDim and valueDim from the
 * section, the level count from the model's `maxSeq`, no other key of `linear` (feature maps,
 * denominators and decays are linear attention's; log-linear attention has its own gates).
 *
 * @throws SpecError at `path` (`config.attention.linear.featureMap`, `config.attention.positions`,
 *   `config.attention.linear.chunkSize`, …) naming the block for a key the layer does not take or
 *   a chunk size that is not a power of two.
 *
 * @example
 * ```ts
 * logLinearLayerOfJSON({ heads: 4, headDim: 8, linear: { kind: 'log-linear' } }, 'config.attention', 'layers.0.attn', 16);
 * ```
 */
export function logLinearLayerOfJSON(
  section: BlockAttentionJSON,
  path: string,
  name: string,
  maxSeq: number,
): LogLinearLayerSpec {
  const heads = checkLinearSection(section, path, name, WHAT);
  const json = section.linear as LinearAttentionJSON;
  for (const [key, value] of Object.entries(json))
    if (key !== 'kind' && key !== 'chunkSize' && value !== undefined)
      refuseLinearKey(path, `linear.${key}`, name, `${WHAT} takes only "chunkSize" beside "kind"`, key);
  const chunk = json.chunkSize;
  if (chunk !== undefined && !Number.isInteger(Math.log2(chunk)))
    refuseLinearKey(path, 'linear.chunkSize', name, `${WHAT} takes a power of two in [1, 64]`, chunk);
  return logLinearLayer({
    heads,
    headDim: section.headDim,
    ...(section.valueDim === undefined ? {} : { valueDim: section.valueDim }),
    maxSeq,
    ...(chunk === undefined ? {} : { chunkSize: chunk }),
  });
}
