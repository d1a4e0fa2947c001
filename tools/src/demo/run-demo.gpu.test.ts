import { describe, expect, it } from 'vitest';
import { runDemo } from './run-demo.js';

describe('the demo (pnpm demo) on the device', () => {
  it('compiles the LM, prefills, generates with the KV cache and matches the float64 reference', async () => {
    const lines: string[] = [];
    const result = await runDemo({ tokens: 4, log: (line) => lines.push(line) });
    expect(result.backend).toBe('webgpu');
    expect(result.tokens).toHaveLength(4);
    for (const token of result.tokens) expect(token).toBeGreaterThanOrEqual(0);
    // RoPE on SwiftShader's f32 sin/cos: about 3e-4 normwise over four layers.
    expect(result.prefillError).toBeLessThan(2e-3);
    expect(result.dispatchesPerToken).toBe(result.kernels);
    expect(lines.some((line) => line.startsWith('Adapter:'))).toBe(true);
    expect(lines.some((line) => /one block: +\d+ IR ops -> \d+ kernels/.test(line))).toBe(true);
    expect(lines.some((line) => /dispatches per token: \d+/.test(line))).toBe(true);
  });
});
