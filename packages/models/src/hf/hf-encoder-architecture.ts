import type { Graph } from '@weft/ir';
import {
  type ArchitectureGraphOptions,
  buildEncoderGraph,
  type EncoderDefinition,
} from '../architectures/encoder.js';
import { buildVitGraph, type VitDefinition } from '../architectures/vit.js';

/** A Hugging Face `BertModel` as a Weft encoder definition. */
export interface HuggingFaceBertArchitecture {
  /** The config's `model_type`. */
  readonly modelType: 'bert';
  /** Built by `buildEncoderGraph`: outputs `hidden` (`last_hidden_state`), `pooled` (`pooler_output`, when the checkpoint has a pooler). */
  readonly definition: EncoderDefinition;
}

/** A Hugging Face `ViTModel` as a Weft ViT definition (a backbone: no classification head). */
export interface HuggingFaceVitArchitecture {
  /** The config's `model_type`. */
  readonly modelType: 'vit';
  /** Built by `buildVitGraph`: outputs `hidden` (`last_hidden_state`), `pooled` (`pooler_output`, when the checkpoint has a pooler). */
  readonly definition: VitDefinition;
}

/** What a Hugging Face encoder checkpoint maps to, by `model_type`. */
export type HuggingFaceEncoderArchitecture = HuggingFaceBertArchitecture | HuggingFaceVitArchitecture;

/**
 * The graph of a Hugging Face encoder: `buildEncoderGraph` for BERT (inputs `tokens`, `lengths`,
 * `tokenTypes`), `buildVitGraph` for ViT (input `pixels`).
 *
 * @example
 * ```ts
 * const hf = await loadHuggingFaceEncoder('./bert-base-uncased');
 * const graph = buildHuggingFaceEncoderGraph(hf, { batch: 1 });
 * const program = await compile(graph, { device, params: hf.weights, extensions: [attention] });
 * ```
 */
export function buildHuggingFaceEncoderGraph(
  architecture: HuggingFaceEncoderArchitecture,
  options: ArchitectureGraphOptions = {},
): Graph {
  return architecture.modelType === 'bert'
    ? buildEncoderGraph(architecture.definition, options)
    : buildVitGraph(architecture.definition, options);
}
