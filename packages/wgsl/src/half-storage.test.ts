import {
  add,
  gelu,
  input,
  makeGraph,
  matmul,
  mean,
  mul,
  param,
  planFusion,
  rsqrt,
  sub,
  symbolicDim,
  UnsupportedError,
} from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { F16_PROFILE } from '../test/kernel-fixtures.js';
import { generateProgram } from './generate-kernel.js';
import type { DeviceProfile, GeneratedKernel } from './generated-kernel.js';
import { withoutHalfTier } from './testing/half-tier.js';
import { lintWgsl } from './testing/wgsl-lint.js';

// The tier's prelude declares all four hooks, read or not: lint the kernels without it.
const lint = (kernel: GeneratedKernel) =>
  lintWgsl(withoutHalfTier(kernel.wgsl).replace(/\bto_half\(|\bwiden\(/g, '('));

// The kernels of f16 storage as text: Dawn on SwiftShader has no shader-f16, so the `array<f16>`
// variant cannot be compiled here (Tint validates f16 only on a device with the feature); its
// structure is checked instead. The packed-u32 emulation runs on the device in
// `packages/models/src/model/half-storage.gpu.test.ts`.
const seq = symbolicDim('seq', { max: 33 });

/** x → matmul → GELU → LayerNorm (as ops) → matmul: unfused, every tensor between kernels an intermediate. */
function program(profile: DeviceProfile, fuse = false): GeneratedKernel[] {
  const x = input('x', [seq, 24]);
  const h = gelu(matmul(x, param('w1', [24, 37])));
  const centered = sub(h, mean(h, -1, { keepDims: true }));
  const normed = mul(centered, rsqrt(add(mean(mul(centered, centered), -1, { keepDims: true }), 1e-5)));
  const graph = makeGraph({ y: matmul(normed, param('w2', [37, 5])) });
  return generateProgram(planFusion(graph, { fuse }), profile, { inputAccess: 'arena' });
}

const REAL: DeviceProfile = { ...F16_PROFILE, precision: 'f16', halfStorage: true };
const EMULATED: DeviceProfile = { ...F16_PROFILE, precision: 'f16-emulated', halfStorage: true };

/** `name: array<type>` of every storage binding of a kernel. */
function bindingTypes(kernel: GeneratedKernel): Record<string, string> {
  return Object.fromEntries(
    [...kernel.wgsl.matchAll(/var<storage, \w+> (\w+): array<(.+)>;/g)].map((match) => [
      match[1]!,
      match[2]!,
    ]),
  );
}

describe('f16 storage in generated kernels', () => {
  for (const fuse of [false, true]) {
    test(`shader-f16 (${fuse ? 'fused' : 'unfused'}): intermediates and weights are array<f16>, stored through to_half, read through widen`, () => {
      const kernels = program(REAL, fuse);
      expect(kernels.length).toBeGreaterThan(1);
      let halfBindings = 0;
      for (const kernel of kernels) {
        expect(kernel.wgsl).toMatch(/^enable f16;$/m);
        expect(kernel.wgsl).not.toContain('atomic');
        expect(kernel.wgsl).not.toContain('pack2x16float');
        for (const [name, type] of Object.entries(bindingTypes(kernel))) {
          // Graph inputs and the output stay f32 at the program's boundary; the weights are f16.
          const boundary =
            /^(in_x|out_y)$/.test(name) || (name.startsWith('out_matmul') && kernel === kernels.at(-1));
          if (boundary) expect(type, `${name}`).toBe('f32');
          else {
            expect(type, `${name}`).toBe('f16');
            halfBindings++;
            if (name.startsWith('out_'))
              expect(kernel.wgsl).toMatch(new RegExp(`${name}\\[.+\\] = to_half\\(`));
            else expect(kernel.wgsl).toContain(`widen(${name}[`);
          }
        }
        expect(lint(kernel), kernel.label).toEqual([]);
      }
      expect(halfBindings).toBeGreaterThan(fuse ? 1 : 4);
      const weights = kernels.flatMap((kernel) =>
        Object.entries(bindingTypes(kernel)).filter(([name]) => /^in_w[12]$/.test(name)),
      );
      expect(weights.length).toBeGreaterThanOrEqual(2);
      for (const [name, type] of weights) expect(type, name).toBe('f16');
    });
  }

  test('emulated: intermediates and weights are u32 words of two f16, written with atomics, read with unpack2x16float', () => {
    const kernels = program(EMULATED);
    let weights = 0;
    for (const kernel of kernels) {
      expect(kernel.wgsl).not.toMatch(/enable f16|array<f16>|alias half = f16/);
      for (const [name, type] of Object.entries(bindingTypes(kernel))) {
        if (/^in_w[12]$/.test(name)) weights++;
        if (name === 'in_x' || (kernel === kernels.at(-1) && name.startsWith('out_'))) {
          expect(type, name).toBe('f32');
        } else if (name.startsWith('out_')) {
          expect(type, name).toBe('atomic<u32>');
          const binding = new RegExp(`@binding\\((\\d+)\\) var<storage, read_write> ${name}:`).exec(
            kernel.wgsl,
          )![1];
          const store = `weft_store_half_${binding}`;
          expect(kernel.wgsl).toContain(`fn ${store}(flat: i32, value: f32) {`);
          expect(kernel.wgsl).toContain(`atomicAnd(&${name}[word], ~(0xffffu << shift));`);
          expect(kernel.wgsl).toContain(
            `atomicOr(&${name}[word], (pack2x16float(vec2<f32>(value, 0.0)) & 0xffffu) << shift);`,
          );
          expect(kernel.wgsl).toMatch(new RegExp(`^ +${store}\\(.+, to_half\\(.+\\)\\);$`, 'm'));
        } else {
          expect(type, name).toBe('u32');
          const binding = new RegExp(`@binding\\((\\d+)\\) var<storage, read(?:_write)?> ${name}:`).exec(
            kernel.wgsl,
          )![1];
          expect(kernel.wgsl).toContain(
            `fn weft_load_half_${binding}(flat: i32) -> f32 {\n  return unpack2x16float(${name}[u32(flat) / 2u])[u32(flat) % 2u];`,
          );
          expect(kernel.wgsl).toMatch(new RegExp(`weft_load_half_${binding}\\(.+\\)`));
        }
      }
      expect(lint(kernel), kernel.label).toEqual([]);
    }
    expect(weights).toBeGreaterThanOrEqual(2);
  });

  test('inputs packed into one binding (over the storage-binding limit) are read as half words', () => {
    const limited = (profile: DeviceProfile): DeviceProfile => ({
      ...profile,
      limits: { ...profile.limits, maxStorageBuffersPerShaderStage: 2 },
    });
    const emulated = program(limited(EMULATED))
      .map((kernel) => kernel.wgsl)
      .join('\n');
    expect(emulated).toMatch(/unpack2x16float\(packed_inputs\[params\.offset_\w+ \+ u32\(.+\) \/ 2u\]\)/);
    const real = program(limited(REAL))
      .map((kernel) => kernel.wgsl)
      .join('\n');
    expect(real).toMatch(/bitcast<vec2<f16>>\(packed_inputs\[params\.offset_\w+ \+ u32\(.+\) \/ 2u\]\)/);
  });

  test('f16 storage needs an f16 precision; without halfStorage the f16 tier keeps f32 storage', () => {
    expect(() => program({ ...F16_PROFILE, halfStorage: true })).toThrow(UnsupportedError);
    expect(() => program({ ...F16_PROFILE, halfStorage: true })).toThrow(/precision f16 or f16-emulated/);
    for (const kernel of program({ ...F16_PROFILE, precision: 'f16' })) {
      for (const type of Object.values(bindingTypes(kernel))) expect(type).toBe('f32');
    }
  });
});
