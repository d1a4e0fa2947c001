import { describe, expect, it } from 'vitest';
import { requestWeftDevice } from './request-weft-device.js';
import { runSaxpyCheck } from './saxpy-check.js';

describe('requestWeftDevice (browser)', () => {
  it('acquires navigator.gpu in headless Chromium and runs a compute shader', async () => {
    const weft = await requestWeftDevice();
    expect(weft.adapter.source).toBe('browser');
    const result = await runSaxpyCheck(weft.device, 777);
    expect(result.count).toBe(777);
    expect(result.maxAbsError).toBeLessThan(1e-5);
    weft.destroy();
  });
});
