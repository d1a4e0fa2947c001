import {
  halfStoredTensors,
  type Kernel,
  type KernelPlan,
  kernelBlockLabel,
  kernelTitle,
  UnsupportedError,
} from '@weft/ir';
import { renderReadInputsOnly } from './bound-inputs.js';
import type { GenerateOptions } from './generate-options.js';
import type { DeviceProfile, GeneratedKernel } from './generated-kernel.js';
import type { KernelExtension } from './kernel-extension.js';
import { SharedKernelRenderer } from './kernel-sharing/shared-kernels.js';
import { generateConv } from './templates/conv-template.js';
import { generateElementwise } from './templates/elementwise-template.js';
import { generateMatmul } from './templates/matmul-template.js';
import { generateReduce } from './templates/reduce-template.js';
import { generateRow } from './templates/row-template.js';
import { generateScan } from './templates/scan-template.js';
import { generateTopk } from './templates/topk-template.js';

/**
 * A kernel template: renders one kernel of a plan for a device. Must be pure and deterministic, and
 * depend only on the kernel (its nodes, inputs, outputs, schedule), the profile and the options.
 * Tensor names reach the text through the storage variables of `KernelContext` and quoted in
 * comments (`describe`); `generateProgram` then renders kernels that differ only in those names
 * once. A template that prints a name any other way stays correct: such kernels are rendered on
 * their own.
 */
export type TemplateGenerator = (
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions,
) => GeneratedKernel;

/**
 * Renders one kernel of a plan, choosing the template from `kernel.template` (`opaque` kernels by
 * their anchor's op) among the built-in templates, then those of `options.extensions`. Same
 * inputs, same WGSL. The kernel binds only the inputs its body reads: an input whose reads the
 * index simplification dropped is left out of its declarations and `bindings`.
 *
 * @throws UnsupportedError for a template or op no generator handles (naming the op, the kernel
 *   and the extension to pass), or a kernel beyond the device's limits.
 */
export function generateKernel(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  return renderKernel(kernel, profile, options).generated;
}

/**
 * Renders every kernel of a plan, in dispatch order. Kernels that differ only in their tensors'
 * names (the layers of a decoder) are rendered once and renamed (`SharedKernelRenderer`): the
 * WGSL of each is the text {@link generateKernel} gives it.
 */
export function generateProgram(
  plan: KernelPlan,
  profile: DeviceProfile,
  programOptions: GenerateOptions = {},
): GeneratedKernel[] {
  const options: GenerateOptions =
    profile.halfStorage === true && programOptions.halfStored === undefined
      ? { ...programOptions, halfStored: halfStoredTensors(plan) }
      : programOptions;
  if (options.shareKernels === false)
    return plan.kernels.map((kernel) => generateKernel(kernel, profile, options));
  const renderer = new SharedKernelRenderer(profile, options, (kernel) =>
    renderKernel(kernel, profile, options),
  );
  return plan.kernels.map((kernel) => renderer.generate(kernel));
}

/** Renders one kernel, and names the template that rendered it. */
function renderKernel(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions,
): { generated: GeneratedKernel; template: string } {
  const extensions = options.extensions ?? [];
  const name = kernel.template === 'opaque' ? opaqueTemplate(kernel, extensions) : kernel.template;
  const generator = builtInTemplate(name) ?? extensionTemplate(name, extensions);
  if (generator === undefined) throw missingTemplate(kernel, name, extensions);
  // Rendered again, binding only the inputs it reads, when simplification dropped some reads.
  const generated = renderReadInputsOnly(kernel, options, (bound) => generator(kernel, profile, bound));
  return { generated, template: name };
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

function builtInTemplate(name: string): TemplateGenerator | undefined {
  return Object.hasOwn(BUILT_IN, name) ? BUILT_IN[name] : undefined;
}

function extensionTemplate(
  name: string,
  extensions: readonly KernelExtension[],
): TemplateGenerator | undefined {
  for (const extension of extensions) {
    const templates = extension.templates ?? {};
    if (Object.hasOwn(templates, name)) return templates[name];
  }
  return undefined;
}

/** The template of an `opaque` kernel: its anchor op's own, a reduction, or an index rewrite. */
function opaqueTemplate(kernel: Kernel, extensions: readonly KernelExtension[]): string {
  const op = kernel.anchor.op;
  if (builtInTemplate(op) !== undefined || extensionTemplate(op, extensions) !== undefined) return op;
  const definition = kernel.anchor.def;
  if (definition.fusion === 'reduction') return 'reduce';
  if (definition.lowerElement !== undefined) return 'elementwise';
  return op;
}

/** Where Weft's own extension templates live, for the hint of a missing-template error. */
const KNOWN_EXTENSION_TEMPLATES: Readonly<Record<string, string>> = {
  attention: "pass `extensions: [attention]`, with `attention` from '@weft/attention/kernels'",
};

function missingTemplate(
  kernel: Kernel,
  name: string,
  extensions: readonly KernelExtension[],
): UnsupportedError {
  const block = kernelBlockLabel(kernel);
  const where = `kernel ${kernel.id} "${kernelTitle(kernel)}"`;
  const fix = Object.hasOwn(KNOWN_EXTENSION_TEMPLATES, name)
    ? KNOWN_EXTENSION_TEMPLATES[name]
    : 'pass the extension that provides it in `extensions`';
  const given =
    extensions.length === 0
      ? 'no extensions were given'
      : `extensions given: ${extensions.map((extension) => extension.name).join(', ')}`;
  const subject = name === kernel.anchor.op ? `op "${name}"` : `template "${name}"`;
  return new UnsupportedError(`no WGSL template for ${subject} of ${where}: ${fix} (${given})`, {
    ...(block === undefined ? {} : { block }),
    expected: [
      ...Object.keys(BUILT_IN),
      ...extensions.flatMap((extension) => Object.keys(extension.templates ?? {})),
    ].join(', '),
    actual: name,
  });
}
