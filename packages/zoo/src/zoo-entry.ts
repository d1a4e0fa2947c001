import type { Graph } from '@weft/ir';

/**
 * A capability group of the catalog (`docs/catalog/README.md`): G1 fused softmax attention,
 * G2 normalizers other than softmax, G3 normalization layers, G4 linear attention, G5 structure
 * and approximation, G6 sparse and inference-time attention, G7 readouts.
 */
export type CatalogGroup = 'G1' | 'G2' | 'G3' | 'G4' | 'G5' | 'G6' | 'G7';

/** The published paper a zoo entry implements, as the catalog numbers and names it. */
export interface ZooPaper {
  /**
   * Catalog number (1–119), the heading number in `docs/catalog/papers-*.md`; `null` for a
   * mechanism from outside the catalog, whose {@link ZooPaper.title} then names its source and says
   * that it is not a catalog paper.
   */
  readonly id: number | null;
  /** Title as the catalog heading gives it, with authors. */
  readonly title: string;
  /** The catalog group that lists this paper for the entry's mechanism. */
  readonly group: CatalogGroup;
}

/** A ready-to-run instance of a zoo entry: the graph and seeded values for all of its inputs. */
export interface ZooInstance {
  /** The mechanism's graph (static shapes). */
  readonly graph: Graph;
  /** Run-time inputs by name (seeded, never all zeros; `Int32Array` for ids, lengths and segments). */
  readonly inputs: Readonly<Record<string, Float32Array | Int32Array>>;
  /** Parameters by name. */
  readonly params: Readonly<Record<string, Float32Array>>;
  /** Symbolic dim bindings for a run (empty where every shape is static). */
  readonly dims: Readonly<Record<string, number>>;
}

/** One ready-made spec of a published mechanism. */
export interface ZooEntry {
  /** Stable kebab-case id, also the entry's file name (`src/entries/<id>.ts`). */
  readonly id: string;
  /** Mechanism name as its package's catalog names it (`LayerNorm`, `multi-query-attention`). */
  readonly mechanism: string;
  /** The paper it comes from. */
  readonly paper: ZooPaper;
  /** One sentence: what the spec computes and at which sizes. */
  readonly description: string;
  /**
   * Bound on the normwise relative error (see `maxRelativeError`) of f32 kernels against the float64
   * reference on the entry's own instance; `pnpm zoo` fails an entry above it.
   */
  readonly tolerance: number;
  /** Builds the graph and its seeded inputs and parameters. */
  build(): ZooInstance;
}
