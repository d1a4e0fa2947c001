import { UnsupportedError } from '@weft/ir';
import type { DeviceProfile } from '@weft/wgsl';
import { longLines, withoutHalfTier } from '@weft/wgsl/test';
import { describe, expect, it } from 'vitest';
import { ATTENTION_WGSL_CASES, attentionWgsl, PROFILES } from '../../test/attention-wgsl-cases.js';
import { queryPrescale } from './query-score-code.js';

// The f16 tier renders every attention kernel through the same template code as f32; `f16` and
// `f16-emulated` differ only in the prelude that defines the hooks (and `enable f16;`).
describe('f16 tier: attention WGSL', () => {
  for (const testCase of ATTENTION_WGSL_CASES) {
    for (const [profileName, profile] of Object.entries(PROFILES)) {
      it(`${testCase.name} (${profileName})`, () => {
        const f32 = attentionWgsl(testCase, profile);
        const real = attentionWgsl(testCase, { ...profile, shaderF16: true, precision: 'f16' });
        const emulated = attentionWgsl(testCase, { ...profile, precision: 'f16-emulated' });
        expect(real.length).toBe(f32.length);
        expect(emulated.length).toBe(f32.length);
        real.forEach((text, index) => {
          const emulation = emulated[index]!;
          expect(f32[index]).not.toMatch(/alias half|to_half|widen4?\(|quantizeToF16|enable f16/);
          expect(text).toMatch(/^enable f16;$/m);
          expect(text).toContain('alias half = f16;');
          expect(text).toContain('alias half4 = vec4<f16>;');
          expect(text).not.toContain('quantizeToF16');
          expect(emulation).not.toMatch(/^enable f16;$/m);
          expect(emulation).toContain('alias half = f32;');
          expect(emulation).toContain('return quantizeToF16(x);');
          // Structurally the same kernel: only the hooks' definitions differ.
          expect(withoutHalfTier(text)).toBe(withoutHalfTier(emulation));
          expect(longLines(text)).toEqual([]);
          // Every f32 tensor is rounded where it is loaded and stored.
          expect(text).toMatch(/widen\(to_half\(/);
          if (f32[index]!.includes('var<workgroup> key_tile')) {
            expect(text).toMatch(/var<workgroup> key_tile: array<half4, \d+>;/);
            expect(text).toMatch(/var<workgroup> value_tile: array<half4, \d+>;/);
            // Q is pre-scaled by a power of two before QKᵀ; the raw score is scaled back in f32.
            expect(text).toMatch(/widen4\(to_half4\(0\.\d+ \* vec4<f32>\(row\[0\]/);
            expect(text).toMatch(/let raw = scaled_raw \* \d+\.0;/);
          }
        });
      });
    }
  }

  it('refuses f16 on a profile without shader-f16, naming the feature', () => {
    const profile: DeviceProfile = { ...PROFILES.hardware!, precision: 'f16' };
    const render = () => attentionWgsl(ATTENTION_WGSL_CASES[0]!, profile);
    expect(render).toThrow(UnsupportedError);
    expect(render).toThrow(/shader-f16/);
  });

  it('pre-scales Q by the power of two nearest 1/√d', () => {
    expect([16, 32, 64, 128, 30].map(queryPrescale)).toEqual([0.25, 0.25, 0.125, 0.125, 0.25]);
  });
});
