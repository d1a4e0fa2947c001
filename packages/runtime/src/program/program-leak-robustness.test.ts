import v8 from 'node:v8';
import vm from 'node:vm';
import { add, input, makeGraph, mul, param } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { fakeDevice } from '../../test/fake-device.js';
import { compile } from './compile.js';
import { cachedPipeline, cachedPipelineCount, PIPELINE_CACHE_SIZE } from './pipeline-cache.js';

const graph = makeGraph({ y: add(mul(input('x', [8]), param('w', [8])), 1) });
const params = { w: new Float32Array(8) };

/** `global.gc`, exposed at run time when node was not started with --expose-gc. */
function collectGarbage(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

describe('programs do not outlive destroy() while their device lives', () => {
  it('programs register no per-program device.lost callback', async () => {
    const fake = fakeDevice();
    for (let i = 0; i < 50; i++) (await compile(graph, { device: fake.device, params })).destroy();
    expect(fake.lostListeners()).toBeLessThanOrEqual(1);
  });

  it('a device loss still reaches every program on the device', async () => {
    const fake = fakeDevice();
    const program = await compile(graph, { device: fake.device, params });
    fake.lose('test loss');
    await expect(program.run({ x: new Float32Array(8) })).rejects.toThrow(/device was lost.*test loss/);
  });

  it('50 destroyed programs are garbage-collected', async () => {
    const gc = collectGarbage();
    if (gc === undefined) return; // no way to force a collection here
    const fake = fakeDevice();
    let collected = 0;
    const registry = new FinalizationRegistry(() => {
      collected += 1;
    });
    for (let i = 0; i < 50; i++) {
      const program = await compile(graph, { device: fake.device, params });
      await program.run({ x: new Float32Array(8) });
      program.destroy();
      registry.register(program, i);
    }
    for (let round = 0; round < 10 && collected < 45; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(collected).toBeGreaterThanOrEqual(45);
  });

  it('the pipeline cache keeps at most PIPELINE_CACHE_SIZE pipelines per device, least recently used out', async () => {
    const fake = fakeDevice();
    const source = (i: number) => `@compute @workgroup_size(1) fn main() { let unused = ${i}; }`;
    const first = cachedPipeline(fake.device, 'k0', source(0), 'main', []);
    for (let i = 1; i < PIPELINE_CACHE_SIZE + 100; i++) {
      cachedPipeline(fake.device, `k${i}`, source(i), 'main', []);
      // Keep kernel 0 recently used: it must survive the evictions.
      if (i % 50 === 0) expect(cachedPipeline(fake.device, 'k0', source(0), 'main', [])).toBe(first);
    }
    expect(cachedPipelineCount(fake.device)).toBe(PIPELINE_CACHE_SIZE);
    expect(cachedPipeline(fake.device, 'k0', source(0), 'main', [])).toBe(first);
    expect(cachedPipeline(fake.device, 'k1', source(1), 'main', [])).not.toBe(
      cachedPipeline(fake.device, 'k2', source(2), 'main', []),
    );
  });
});
