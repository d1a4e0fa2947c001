import { afterAll, describe, expect, it } from 'vitest';
import { formatAdapter } from './adapter-description.js';
import { requestWeftDevice, type WeftDevice } from './request-weft-device.js';
import { runSaxpyCheck } from './saxpy-check.js';

describe('requestWeftDevice (Node, Dawn)', () => {
  let weft: WeftDevice | undefined;
  afterAll(() => weft?.destroy());

  it('acquires a real adapter and describes it', async () => {
    weft = await requestWeftDevice();
    expect(weft.adapter.source).toBe('node-dawn');
    expect(weft.adapter.features).toContain('timestamp-query');
    expect(weft.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(formatAdapter(weft.adapter)).toMatch(/via node-dawn/);
  });

  it('runs a compute shader and returns the right numbers', async () => {
    weft ??= await requestWeftDevice();
    const result = await runSaxpyCheck(weft.device, 1031);
    expect(result.maxAbsError).toBeLessThan(1e-5);
    expect(result.count).toBe(1031);
  });

  it('can be asked for no optional features', async () => {
    const plain = await requestWeftDevice({ optionalFeatures: [] });
    expect(plain.adapter.features).not.toContain('subgroups');
    plain.destroy();
  });
});
