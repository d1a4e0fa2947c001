// The catalog's compositions (G5): mechanisms built from IR ops around one or more fused attention
// kernels, each in its own entry file; listed here so the main catalog stays one screen of specs.
import type { AttentionCatalogEntry } from './attention-catalog.js';
import {
  dualAttentionCatalogEntry,
  payBetterAttentionCatalogEntry,
  skimAttentionCatalogEntry,
} from './attention-variant-entries.js';
import {
  lamaPoolingCatalogEntry,
  layerStackAttentionCatalogEntry,
  layerwiseShortcutsCatalogEntry,
  sequenceFeedForwardCatalogEntry,
} from './block-composition-entries.js';
import { coreReidCatalogEntry } from './core-reid-entry.js';
import { deltaAttentionCatalogEntry } from './delta-attention-entry.js';
import { dhsaCatalogEntry } from './dhsa-entry.js';
import { headEmbeddingsCatalogEntry, mixtureOfHeadsCatalogEntry } from './head-structure-entries.js';
import { linformerCatalogEntry } from './linformer-entry.js';
import { nagCatalogEntry } from './nag-entry.js';
import { nsaCatalogEntry } from './nsa-entry.js';
import { nystromformerCatalogEntry } from './nystromformer-entry.js';
import { recurrentMemoryCatalogEntry } from './recurrent-memory-entry.js';
import { setTransformerCatalogEntry } from './set-transformer-entry.js';
import { sparseKCatalogEntry } from './sparsek-entry.js';

/** The composition entries of the attention catalog, in catalog order. */
export const COMPOSITION_CATALOG: readonly AttentionCatalogEntry[] = [
  linformerCatalogEntry,
  nystromformerCatalogEntry,
  setTransformerCatalogEntry,
  mixtureOfHeadsCatalogEntry,
  headEmbeddingsCatalogEntry,
  sequenceFeedForwardCatalogEntry,
  layerwiseShortcutsCatalogEntry,
  lamaPoolingCatalogEntry,
  payBetterAttentionCatalogEntry,
  skimAttentionCatalogEntry,
  dualAttentionCatalogEntry,
  layerStackAttentionCatalogEntry,
  nsaCatalogEntry,
  sparseKCatalogEntry,
  nagCatalogEntry,
  deltaAttentionCatalogEntry,
  dhsaCatalogEntry,
  coreReidCatalogEntry,
  recurrentMemoryCatalogEntry,
];
