import { getOp, type Kernel, type KernelPlan, UnsupportedError } from '@weft/ir';
import type { GenerateOptions } from './generate-options.js';
import type { DeviceProfile, GeneratedKernel } from './generated-kernel.js';
import { generateConv } from './templates/conv-template.js';
import { generateElementwise } from './templates/elementwise-template.js';
import { generateMatmul } from './templates/matmul-template.js';
import { generateReduce } from './templates/reduce-template.js';
import { generateRow } from './templates/row-template.js';
import { generateScan } from './templates/scan-template.js';
import { generateTopk } from './templates/topk-template.js';

/** A kernel template: renders one kernel of a plan for a device. Must be pure and deterministic. */
export type TemplateGenerator = (
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions,
) => GeneratedKernel;

/**
 * Renders one kernel of a plan, choosing the template from `kernel.template` (`opaque` kernels by
 * their anchor's op). Same inputs, same WGSL.
 *
 * @throws UnsupportedError for a template or op no generator handles, or a kernel beyond the device's limits.
 */
export function generateKernel(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const name = kernel.template === 'opaque' ? opaqueTemplate(kernel) : kernel.template;
  const generator = BUILT_IN[name] ?? extensions.get(name);
  if (generator === undefined) {
    throw new UnsupportedError(`no WGSL template "${name}" for kernel ${kernel.id}`, {
      expected: [...Object.keys(BUILT_IN), ...extensions.keys()].join(', '),
      actual: name,
    });
  }
  return generator(kernel, profile, options);
}

/** Renders every kernel of a plan, in dispatch order. */
export function generateProgram(
  plan: KernelPlan,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel[] {
  return plan.kernels.map((kernel) => generateKernel(kernel, profile, options));
}

/**
 * Adds a template under `name` (for example `attention.flash`), so other packages extend code
 * generation without editing this one. Kernels whose `template` is `name`, and `opaque` kernels
 * whose anchor op is `name`, use it. Registering a built-in name, or a name twice with different
 * generators, throws.
 */
export function registerTemplate(name: string, generator: TemplateGenerator): void {
  const existing = BUILT_IN[name] ?? extensions.get(name);
  if (existing !== undefined && existing !== generator) {
    throw new UnsupportedError(`WGSL template "${name}" is already registered`, { actual: name });
  }
  extensions.set(name, generator);
}

const BUILT_IN: Readonly<Record<string, TemplateGenerator>> = {
  elementwise: generateElementwise,
  row: generateRow,
  reduce: generateReduce,
  matmul: generateMatmul,
  scan: generateScan,
  conv1d: generateConv,
  conv2d: generateConv,
  topk: generateTopk,
};

const extensions = new Map<string, TemplateGenerator>();

/** The template of an `opaque` kernel: its anchor op's own, a reduction, or an index rewrite. */
function opaqueTemplate(kernel: Kernel): string {
  const op = kernel.anchor.op;
  if (BUILT_IN[op] !== undefined || extensions.has(op)) return op;
  const definition = getOp(op);
  if (definition.fusion === 'reduction') return 'reduce';
  if (definition.lowerElement !== undefined) return 'elementwise';
  return op;
}
