import { randomTensor } from '@weft/ir/test';
import type { AttentionCatalogInstance } from '../src/catalog/attention-catalog.js';

/**
 * The instance with every float input redrawn from a new seed (uniform in ±[0.1, 1], never zero;
 * integer inputs are kept: they are ids and lengths). The seed comes from the clock unless given
 * and is returned, so a failure can be replayed.
 */
export function freshInputs(
  instance: AttentionCatalogInstance,
  seed = Date.now() % 2_147_483_647,
): { instance: AttentionCatalogInstance; seed: number } {
  const inputs = Object.fromEntries(
    Object.entries(instance.inputs).map(([name, data], index) => [
      name,
      data instanceof Float32Array
        ? Float32Array.from(randomTensor([data.length], { seed: seed + index }).data)
        : data,
    ]),
  );
  return { instance: { ...instance, inputs }, seed };
}
