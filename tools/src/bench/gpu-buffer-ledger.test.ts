import { describe, expect, it } from 'vitest';
import { GpuBufferLedger } from './gpu-buffer-ledger.js';

describe('GpuBufferLedger', () => {
  it('counts created minus destroyed bytes, each buffer once', () => {
    const ledger = new GpuBufferLedger();
    const [a, b] = [{}, {}];
    ledger.allocate(a, 256);
    ledger.allocate(b, 1024);
    ledger.allocate(a, 256);
    expect(ledger.liveBytes).toBe(1280);
    ledger.release(a);
    ledger.release(a);
    ledger.release({});
    expect(ledger.liveBytes).toBe(1024);
  });

  it('reports the peak above the bytes live when the window opened, not the final bytes', () => {
    const ledger = new GpuBufferLedger();
    const before = {};
    ledger.allocate(before, 4096);
    const window = ledger.openWindow();
    const [weights, scratch] = [{}, {}];
    ledger.allocate(weights, 1000);
    ledger.allocate(scratch, 3000);
    ledger.release(scratch);
    ledger.allocate({}, 500);
    expect(window.peakBytes()).toBe(4000);
    ledger.release(weights);
    expect(window.peakBytes()).toBe(4000);
  });

  it('restarts the peak with each window and never reports below zero', () => {
    const ledger = new GpuBufferLedger();
    const big = {};
    ledger.allocate(big, 10_000);
    ledger.openWindow();
    const window = ledger.openWindow();
    ledger.release(big);
    expect(window.peakBytes()).toBe(0);
    ledger.allocate({}, 300);
    expect(window.peakBytes()).toBe(0);
    expect(ledger.openWindow().peakBytes()).toBe(0);
  });
});
