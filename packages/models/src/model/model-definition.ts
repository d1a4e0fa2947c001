import type { AnyModelSpec } from '../spec/model-spec-v2-types.js';
import { decoderDefinitionOfV2 } from './decoder-definition-v2.js';
import {
  buildDecoderGraph,
  type DecoderLmDefinition,
  type DecoderLmGraph,
  type DecoderLmGraphOptions,
} from './decoder-graph.js';
import { decoderDefinitionOf } from './decoder-lm-graph.js';

/**
 * The {@link DecoderLmDefinition} a validated model spec of either version describes: v1 through
 * `decoderDefinitionOf`, v2 through `decoderDefinitionOfV2`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const text = readFileSync('model.json', 'utf8');
 * const definition = modelDefinitionOf(parseModelSpecJSON(text));
 * ```
 */
export function modelDefinitionOf(spec: AnyModelSpec): DecoderLmDefinition {
  return spec.schemaVersion === 2 ? decoderDefinitionOfV2(spec.config) : decoderDefinitionOf(spec.config);
}

/**
 * Builds the graph of a validated model spec of either version (see `buildDecoderGraph`): the
 * full-sequence program in `forward` mode, the KV-cached step program in `step` mode.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const text = readFileSync('model.json', 'utf8');
 * const { graph, state } = buildModelGraph(parseModelSpecJSON(text), { mode: 'step' });
 * ```
 */
export function buildModelGraph(spec: AnyModelSpec, options: DecoderLmGraphOptions): DecoderLmGraph {
  return buildDecoderGraph(modelDefinitionOf(spec), options);
}
