import { describe, expect, test } from 'vitest';
import {
  CLASHING_NAMES,
  clashingKernels,
  generateAll,
  graphNamed,
  HOSTILE_NAMES,
  PACKING_PROFILE,
} from '../test/hostile-names.js';
import { generateKernel } from './generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type GeneratedKernel } from './generated-kernel.js';
import { sanitizeIdentifier, sanitizeLabel, sanitizeName } from './sanitize.js';

/** Names a module declares: storage arrays and `params` fields. */
function declaredNames(wgsl: string): string[] {
  const storage = [...wgsl.matchAll(/var<storage, \w+> (\S+): array</g)].map((match) => match[1]!);
  const struct = /struct Params \{\n([^}]*)\}/.exec(wgsl)?.[1] ?? '';
  const fields = [...struct.matchAll(/^ {2}(\S+): u32,$/gm)]
    .map((match) => match[1]!)
    .filter((field) => !/^pad\d+$/.test(field));
  return [...storage, ...fields];
}

/** Everything a module must satisfy whatever the user named its tensors. */
function expectSafeModule(kernel: GeneratedKernel, raw: readonly string[]): void {
  const { wgsl } = kernel;
  expect(/^[\x20-\x7e\n]*$/.test(wgsl), 'printable ASCII only').toBe(true);
  expect(wgsl).not.toContain('/*');
  expect(wgsl).not.toContain('*/');
  const code = wgsl
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
  expect(code).not.toContain('//');
  for (const name of raw) {
    if (/^[A-Za-z0-9_]*$/.test(name)) continue;
    expect(code, `raw name ${JSON.stringify(name)} in code`).not.toContain(name);
  }
  const names = declaredNames(wgsl);
  expect(new Set(names).size, 'declared names are unique').toBe(names.length);
  for (const name of names) {
    expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(name).not.toContain('__');
    expect(name).not.toMatch(/^(fn|let|var|main|params|const|struct)$/);
  }
  // Labels are printable, single-line.
  expect([...kernel.label].every((char) => char.charCodeAt(0) >= 0x20)).toBe(true);
}

describe('user names in generated WGSL', () => {
  test.each(HOSTILE_NAMES.map((name) => [JSON.stringify(name), name]))(
    'name %s is sanitized in bindings, comments and labels',
    (_, name) => {
      for (const profile of [DEFAULT_DEVICE_PROFILE, PACKING_PROFILE]) {
        const kernels = generateAll(graphNamed(name!), profile);
        for (const kernel of kernels) expectSafeModule(kernel, [name!]);
      }
    },
  );

  test('names that sanitize alike get distinct, deterministic bindings; sources keep the plain name', () => {
    const [reads, writes] = clashingKernels();
    const first = generateKernel(reads!, DEFAULT_DEVICE_PROFILE);
    expectSafeModule(first, CLASHING_NAMES);
    expect(declaredNames(first.wgsl)).toEqual([
      'in_a_b',
      'in_a_b_2',
      'in_a_b_3',
      'in_a_b_4',
      `in_${'x'.repeat(40)}`,
      `in_${'x'.repeat(40)}_2`,
      // The output is labelled `a.b` too: its prefix keeps it apart from the input of that name.
      'out_a_b',
    ]);
    const second = generateKernel(writes!, DEFAULT_DEVICE_PROFILE);
    expectSafeModule(second, CLASHING_NAMES);
    expect(declaredNames(second.wgsl)).toEqual([
      'in_clash_source',
      'out_a_b',
      'out_a_b_2',
      'out_a_b_3',
      'out_a_b_4',
      `out_${'x'.repeat(40)}`,
      `out_${'x'.repeat(40)}_2`,
    ]);
    expect(generateKernel(writes!, DEFAULT_DEVICE_PROFILE).wgsl).toBe(second.wgsl);
    const packed = generateKernel(reads!, PACKING_PROFILE);
    expectSafeModule(packed, CLASHING_NAMES);
    expect(declaredNames(packed.wgsl)).toEqual([
      'packed_inputs',
      'out_a_b',
      'offset_a_b',
      'offset_a_b_2',
      'offset_a_b_3',
      'offset_a_b_4',
      `offset_${'x'.repeat(40)}`,
      `offset_${'x'.repeat(40)}_2`,
    ]);
  });

  test('comments quote user names readably; unlabelled intermediates are numbered by op, never hashed', () => {
    const kernels = generateAll(graphNamed('layers.0.attn'));
    const text = kernels.map((kernel) => kernel.wgsl).join('\n');
    expect(text).toContain('// Weft kernel 0: layers.0.attn - matmul');
    expect(text).toContain('//   in_layers_0_attn (read): input "layers.0.attn" [4, 8] f32');
    expect(text).toContain('var<storage, read_write> out_layers_0_attn_norm: array<f32>;');
    expect(text).not.toMatch(/#[0-9a-f]{6}|_[0-9a-f]{6}\b/);
    expect(kernels.map((kernel) => kernel.label)).toContain('layers.0.attn · matmul');
    expect(kernels.map((kernel) => kernel.label)).toContain('layers.0.attn.norm · row (mean)');
    const unlabelled = generateAll(graphNamed(''))
      .map((kernel) => kernel.wgsl)
      .join('\n');
    expect(unlabelled).toMatch(/out_binary_1: array<f32>;/);
    expect(unlabelled).not.toMatch(/#[0-9a-f]{6}|_[0-9a-f]{6}\b/);
  });

  test('the sanitizers', () => {
    expect(sanitizeIdentifier('__proto__')).toBe('proto');
    expect(sanitizeIdentifier('fn')).toBe('fn_');
    expect(sanitizeName('layers.0.attn.q')).toBe('layers.0.attn.q');
    expect(sanitizeName('x */ y\n')).toBe('x????y?');
    expect(sanitizeName('n'.repeat(100))).toHaveLength(60);
    expect(sanitizeLabel('layers.0.attn\n · attention')).toBe('layers.0.attn? · attention');
    expect(sanitizeLabel('\u202Eevil')).toBe('?evil');
    expect(sanitizeLabel('l'.repeat(500))).toHaveLength(120);
  });
});
