import type { Graph } from '@weft/ir';
import { buildDitGraph } from '../architectures/dit.js';
import { buildEncoderGraph } from '../architectures/encoder.js';
import { buildEncoderDecoderGraph } from '../architectures/encoder-decoder.js';
import { buildVitGraph } from '../architectures/vit.js';
import { type ArchitectureSpec, architectureDefinitionOf } from '../spec/kinds/architecture-spec.js';

/** Options of {@link buildArchitectureGraph}. */
export interface ArchitectureSpecGraphOptions {
  /** Samples per run (a static batch size). Default 1. */
  readonly batch?: number;
}

/**
 * Builds the forward graph of a validated architecture spec with the builder of its kind:
 * `buildEncoderGraph`, `buildVitGraph`, `buildDitGraph`, or `buildEncoderDecoderGraph` in
 * `forward` mode (teacher forcing: source and target tokens to logits).
 *
 * @example
 * ```ts fragment
 * const spec = parseSpecDocumentJSON(readFileSync('examples/vit.json', 'utf8'));
 * if (isArchitectureSpec(spec)) {
 *   const graph = buildArchitectureGraph(spec, { batch: 2 });
 *   const program = await compile(graph, { device, params: randomParameters(graph, 0), extensions: [attention] });
 * }
 * ```
 */
export function buildArchitectureGraph(
  spec: ArchitectureSpec,
  options: ArchitectureSpecGraphOptions = {},
): Graph {
  const batch = options.batch ?? 1;
  const resolved = architectureDefinitionOf(spec);
  switch (resolved.kind) {
    case 'encoder':
      return buildEncoderGraph(resolved.definition, { batch });
    case 'vit':
      return buildVitGraph(resolved.definition, { batch });
    case 'dit':
      return buildDitGraph(resolved.definition, { batch });
    case 'encoder-decoder':
      return buildEncoderDecoderGraph(resolved.definition, { mode: 'forward', batch }).graph;
  }
}
