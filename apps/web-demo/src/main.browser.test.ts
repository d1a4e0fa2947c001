import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('web demo (headless Chromium, WebGPU)', () => {
  it('runs LayerNorm and causal multi-query attention in the page within tolerance and shows them', async () => {
    const root = document.createElement('div');
    document.body.append(root);
    const result = await main(root, { warmupRuns: 1, timedRuns: 5 });

    expect(result.adapter.source).toBe('browser');
    expect(result.rows.map((row) => row.id)).toEqual(['layer-norm', 'multi-query-attention']);
    for (const row of result.rows) {
      expect(row.backend).toBe('webgpu');
      // Each is one fused kernel: a row kernel for LayerNorm, the flash-attention kernel for MQA.
      expect(row.kernels, row.id).toBe(1);
      expect(row.maxRelativeError, row.id).toBeGreaterThan(0);
      expect(row.maxRelativeError, row.id).toBeLessThanOrEqual(row.tolerance);
      expect(row.tolerance).toBe(1e-5);
      expect(row.medianMs).toBeGreaterThan(0);
    }

    expect(root.querySelector('[data-role="adapter"]')?.textContent).toMatch(/^Adapter: .+ via browser/);
    const line = root.querySelector<HTMLTableRowElement>('tr[data-entry="multi-query-attention"]')!;
    const cells = Array.from(line.cells, (cell) => cell.textContent);
    expect(cells.slice(0, 3)).toEqual(['multi-query-attention', '54 (G1)', '1']);
    expect(Number(cells[3])).toBe(Number(result.rows[1]!.maxRelativeError.toExponential(2)));
    root.remove();
  });

  it('shows and rejects with the error for an unknown entry', async () => {
    const root = document.createElement('div');
    await expect(main(root, { entries: ['no-such-entry'] })).rejects.toThrow(
      /names no zoo entry.*no-such-entry/s,
    );
    expect(root.querySelector('[data-role="error"]')?.textContent).toMatch(/no-such-entry/);
  });
});
