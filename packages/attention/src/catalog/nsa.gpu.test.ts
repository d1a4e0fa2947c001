import { interpret } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { denseNsa } from '../../test/dense-nsa.js';
import { runKernels } from '../../test/run-kernels.js';
import { NSA_SHAPE, nsaCatalogEntry } from './nsa-entry.js';

/**
 * f32 kernels vs float64: softmax rows of at most 256 keys, an MLP φ over 512 inputs and sums of
 * probabilities that rank the blocks (measured near 1e-7; a flipped block choice would cost ~1e-1).
 */
const TOLERANCE = 1e-5;

describe('Native Sparse Attention (#94) on the device', () => {
  it('the catalog instance matches the float64 formula written from the paper; the selected kernel walks listed tiles', async () => {
    const { graph, inputs, params } = nsaCatalogEntry.build();
    const { device } = await getTestDevice();
    const values = { ...inputs, ...params };
    const run = await runKernels(device, graph, values, {});
    const reference = interpret(graph, { inputs, params });
    const expected = denseNsa({ ...NSA_SHAPE, mlp: true })(values);
    const errors: Record<string, { reference: number; dense: number }> = {};
    for (const [name, formula] of Object.entries(expected))
      errors[name] = {
        reference: relativeError(run.outputs[name]!, reference[name]!.data),
        dense: relativeError(run.outputs[name]!, formula),
      };
    console.log('native sparse attention', run.kernels, 'kernels', errors);
    for (const [name, error] of Object.entries(errors)) {
      expect(error.reference, name).toBeLessThan(TOLERANCE);
      expect(error.dense, name).toBeLessThan(TOLERANCE);
    }
    // The selected branch's kernel lists the non-empty key tiles from the device-built table.
    // Only that kernel lists tiles (the compressed and window branches skip by their positional rules).
    const listing = run.wgsl.filter((wgsl) => wgsl.includes('fn list_tiles('));
    expect(listing).toHaveLength(1);
    expect(listing[0]!).toMatch(/tile_list\[count\] = /);
    expect(listing[0]!).toMatch(
      /for \(var listed = 0u; listed < listed_tiles; listed\+\+\) \{\s*let entry = (?:workgroupUniformLoad\(&)?tile_list\[listed\]\)?;/,
    );
  }, 600_000);
});
