import { SpecError } from '@weft/ir';
import { type AdapterDescription, requestWeftDevice } from '@weft/runtime';
import { findZooEntry, ZOO, type ZooEntry } from '@weft/zoo';
import { measureZooEntry, type ZooMeasurement } from '@weft/zoo/runner';
import { renderError, renderResults } from './render-results.js';

/** What the page runs without `?entries=`: a LayerNorm and a causal softmax attention (multi-query). */
export const DEFAULT_ENTRIES: readonly string[] = ['layer-norm', 'multi-query-attention'];

/** Options of {@link main}. */
export interface DemoOptions {
  /** Zoo entry ids or mechanism names to run, or `['all']`. Default {@link DEFAULT_ENTRIES}. */
  readonly entries?: readonly string[];
  /** Untimed warm-up runs per entry. Default 2. */
  readonly warmupRuns?: number;
  /** Timed runs per entry (the median is shown). Default 7. */
  readonly timedRuns?: number;
}

/** What the page measured. */
export interface DemoResult {
  /** The adapter the device was created on. */
  readonly adapter: AdapterDescription;
  /** One measurement per entry, in the order asked for. */
  readonly rows: readonly ZooMeasurement[];
}

/**
 * The page: acquires a WebGPU device with `requestWeftDevice`, then for each entry builds its graph,
 * compiles it with `compile`, checks a run against the float64 reference and times further runs;
 * shows the adapter, kernels, max relative error and median time in `root`. On failure (no WebGPU,
 * an unknown entry) it shows the error in `root` and rejects with it.
 */
export async function main(root: HTMLElement, options: DemoOptions = {}): Promise<DemoResult> {
  root.textContent = 'Acquiring a WebGPU device…';
  try {
    const entries = selectEntries(options.entries ?? DEFAULT_ENTRIES);
    const weft = await requestWeftDevice();
    try {
      const rows: ZooMeasurement[] = [];
      for (const entry of entries) {
        root.textContent = `Compiling and running ${entry.mechanism}…`;
        rows.push(
          await measureZooEntry(entry, {
            device: weft,
            ...(options.warmupRuns === undefined ? {} : { warmupRuns: options.warmupRuns }),
            ...(options.timedRuns === undefined ? {} : { timedRuns: options.timedRuns }),
          }),
        );
      }
      renderResults(root, weft.adapter, rows);
      return { adapter: weft.adapter, rows };
    } finally {
      weft.destroy();
    }
  } catch (error) {
    renderError(root, error);
    throw error;
  }
}

function selectEntries(names: readonly string[]): readonly ZooEntry[] {
  if (names.length === 1 && names[0] === 'all') return ZOO;
  return names.map((name) => {
    const entry = findZooEntry(name.trim());
    if (entry === undefined) {
      throw new SpecError('the page names no zoo entry', {
        expected: ZOO.map((known) => known.id).join(', '),
        actual: name,
      });
    }
    return entry;
  });
}
