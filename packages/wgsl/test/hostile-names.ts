import {
  add,
  type Graph,
  input,
  type Kernel,
  makeGraph,
  matmul,
  mean,
  mul,
  param,
  rsqrt,
  runPipeline,
  sub,
  withLabel,
} from '@weft/ir';
import { generateProgram } from '../src/generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile, type GeneratedKernel } from '../src/generated-kernel.js';
import { makeKernel } from './kernel-fixtures.js';

/** User names that must never reach a WGSL module as they are. */
export const HOSTILE_NAMES: readonly string[] = [
  'a;b',
  'x}',
  'line\nbreak',
  'x */ y /* z',
  '// comment',
  'γ-gain ✓',
  '名前',
  'fn',
  'let',
  'var',
  'main',
  'params',
  'packed_inputs',
  '__proto__',
  'constructor',
  'toString',
  '123',
  '',
  '_',
  '@compute fn evil() {}',
];

/** Names that differ only in punctuation or past the identifier length: distinct tensors, one sanitized form. */
export const CLASHING_NAMES: readonly string[] = [
  'a.b',
  'a_b',
  'a-b',
  'a b',
  'x'.repeat(200),
  `${'x'.repeat(199)}y`,
];

/**
 * A graph that uses `name` as an input, a parameter and the label of an elementwise kernel, a
 * row kernel (LayerNorm) and a matmul, so every template's comments and bindings meet it.
 */
export function graphNamed(name: string): Graph {
  const x = input(name === '' ? 'x' : name, [4, 8]);
  const gain = param(`${name}.w`, [8]);
  const sum = withLabel(name, () => add(x, gain));
  const normalized = withLabel(`${name}.norm`, () => {
    const centered = sub(sum, mean(sum, -1, { keepDims: true }));
    return mul(centered, rsqrt(add(mean(mul(centered, centered), -1, { keepDims: true }), 1e-5)));
  });
  const projected = withLabel(name, () => matmul(normalized, param(`${name}.proj`, [8, 8])));
  return makeGraph({ sum, normalized, projected });
}

/**
 * Two elementwise kernels whose tensors' names all sanitize alike: one reads an input of each
 * {@link CLASHING_NAMES} name, the other writes an output labelled with each.
 */
export function clashingKernels(): Kernel[] {
  const inputs = CLASHING_NAMES.map((name) => input(name, [4]));
  const total = withLabel('a.b', () => inputs.slice(1).reduce((sum, x) => add(sum, x), inputs[0]!));
  const source = input('clash.source', [4]);
  const outputs = CLASHING_NAMES.map((name, index) => withLabel(name, () => mul(source, index + 2)));
  return [
    makeKernel('elementwise', [total], inputs),
    makeKernel('elementwise', outputs, [source], { id: 1 }),
  ];
}

/** Generates every kernel of `graph` (unfused too, so each node meets the templates alone). */
export function generateAll(
  graph: Graph,
  profile: DeviceProfile = DEFAULT_DEVICE_PROFILE,
): GeneratedKernel[] {
  return [true, false].flatMap((fuse) => generateProgram(runPipeline(graph, { fuse }).plan, profile));
}

/** A profile with 4 storage bindings: kernels with more tensors pack their inputs (`offset_` fields). */
export const PACKING_PROFILE: DeviceProfile = {
  ...DEFAULT_DEVICE_PROFILE,
  limits: { ...DEFAULT_DEVICE_PROFILE.limits, maxStorageBuffersPerShaderStage: 4 },
};
