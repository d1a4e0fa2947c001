import { add, gelu, input, makeGraph, matmul, type Node, param, withLabel } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, getTestDevice } from '../testing/index.js';
import { cachedPipelineCount } from './pipeline-cache.js';

// Shapes no other test uses, so that this program's pipelines are new to the shared device.
const ROWS = 7;
const WIDTH = 12;
const LAYERS = 4;

function layer(index: number, x: Node): Node {
  const name = `layers.${index}`;
  return withLabel(name, () =>
    gelu(add(matmul(x, param(`${name}.w`, [WIDTH, WIDTH])), param(`${name}.b`, [WIDTH]))),
  );
}

describe('pipelines shared by kernels that differ only in names', () => {
  it('four identical labelled layers compile two pipelines and match float64', async () => {
    let x: Node = input('x', [ROWS, WIDTH]);
    for (let index = 0; index < LAYERS; index++) x = layer(index, x);
    const graph = makeGraph({ y: x });
    const params = Object.fromEntries(
      Array.from({ length: LAYERS }, (_, index) => [
        [`layers.${index}.w`, randomTensor([WIDTH, WIDTH], { seed: 10 + index })],
        [`layers.${index}.b`, randomTensor([WIDTH], { seed: 20 + index })],
      ]).flat(),
    );
    const device = await getTestDevice();
    const before = cachedPipelineCount(device.device);
    // Each layer runs the one pipeline with its own weights: a shared pipeline bound to the wrong
    // tensors would fail the float64 comparison (f32 matmuls of 12 terms: budget 1e-5).
    const { program, worstRelativeError } = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([ROWS, WIDTH], { seed: 3 }) },
      params,
      rtol: 1e-5,
      atol: 1e-6,
      label: 'four labelled layers',
    });
    console.info(`shared pipelines: worst relative error ${worstRelativeError.toExponential(2)}`);
    expect(program.stats.kernels).toBe(LAYERS);
    // Layer 0 reads the graph input (bound `read`), layers 1–3 the arena (`read_write`): two
    // structures, so two pipelines for four kernels.
    expect(cachedPipelineCount(device.device) - before).toBe(2);
    program.destroy();
  }, 120_000);
});
