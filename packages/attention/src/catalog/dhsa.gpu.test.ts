import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseDhsa } from '../../test/dense-dhsa.js';
import { freshInputs } from '../../test/fresh-inputs.js';
import { runKernels } from '../../test/run-kernels.js';
import { DHSA_SHAPE, dhsaCatalogEntry } from './dhsa-entry.js';

/**
 * f32 kernels vs float64: softmax rows of at most 256 keys (measured near 1e-7). The selection is
 * compared exactly: the token scores of one chunk pair are one f32 value, so ties stay ties; a
 * choice flipped by rounding between two chunks' scores would cost ~1e-1 and show in `keep`.
 */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

/** Key tiles of 32 × 32 that some query of the tile keeps, of the causal tiles. */
function visitedTiles(keep: ArrayLike<number>, heads: number, length: number) {
  let visited = 0;
  let causalTiles = 0;
  const tiles = length / 32;
  for (let h = 0; h < heads; h++)
    for (let r = 0; r < tiles; r++)
      for (let c = 0; c <= r; c++) {
        causalTiles++;
        let any = false;
        for (let i = r * 32; i < r * 32 + 32 && !any; i++)
          for (let j = c * 32; j < c * 32 + 32 && !any; j++) any = keep[(h * length + i) * length + j] !== 0;
        if (any) visited++;
      }
  return { visited, causalTiles };
}

describe('DHSA (#30) on the device', () => {
  it.each([
    ['the catalog instance', undefined],
    ['fresh random inputs', Date.now() % 2_147_483_647],
  ] as const)(
    '%s matches the float64 formula written from the paper',
    async (label, seed) => {
      const built = dhsaCatalogEntry.build();
      const instance = seed === undefined ? built : freshInputs(built, seed).instance;
      const expected = denseDhsa(DHSA_SHAPE)({ ...instance.inputs });
      const check = await checkCatalogInstance(instance, () => expected);
      const tiles = visitedTiles(expected.keep, DHSA_SHAPE.heads, DHSA_SHAPE.length);
      console.log('dhsa', label, seed ?? '', check, tiles);
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(check.deviceVersusDense.keep).toBe(0);
      expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
      // The attention kernel and 10 that build the selection and its tile table.
      expect(check.kernels).toBe(11);
      // The selection leaves whole tiles empty, which the kernel skips.
      expect(tiles.visited).toBeLessThan(tiles.causalTiles);
    },
    300_000,
  );

  it('the attention kernel lists the tiles from the selection pooled on the device', async () => {
    const { graph, inputs } = dhsaCatalogEntry.build();
    const { device } = await getTestDevice();
    const run = await runKernels(device, graph, inputs, {});
    const kernel = run.wgsl.find((wgsl) => wgsl.includes('fn list_tiles('))!;
    expect(kernel).toMatch(/tile_list\[count\] = /);
    expect(kernel).toMatch(
      /for \(var listed = 0u; listed < listed_tiles; listed\+\+\) \{\s*let entry = (?:workgroupUniformLoad\(&)?tile_list\[listed\]\)?;/,
    );
  }, 300_000);
});
