import type { Kernel, Node } from '@weft/ir';
import type { GenerateOptions } from './generate-options.js';
import type { GeneratedKernel } from './generated-kernel.js';

/**
 * A kernel binds only the inputs its body reads. Simplifying a fused kernel's index can leave an
 * input of the plan's kernel unread: a gather through a concat that reads one half, a map whose
 * value the index no longer uses. `KernelContext` records the inputs a rendering loads; when some
 * were never loaded, {@link renderReadInputsOnly} renders the kernel again with only those bound,
 * so the module declares, and the runtime binds (it binds `GeneratedKernel.bindings`), no unread
 * tensor.
 */
const inputsLoaded = new WeakMap<GeneratedKernel, ReadonlySet<Node>>();

/** The options of a rendering that binds only some of the kernel's inputs. */
export interface BoundInputsOptions extends GenerateOptions {
  /** The kernel inputs to bind (default: every input); loading any other one throws. */
  readonly boundInputs?: ReadonlySet<Node>;
}

/** Records the kernel inputs a rendering of `generated` loads (`KernelContext.build`). */
export function recordInputsLoaded(generated: GeneratedKernel, loaded: ReadonlySet<Node>): void {
  inputsLoaded.set(generated, loaded);
}

/**
 * Renders `kernel` with `render`, then, when the rendering left some of its inputs unloaded,
 * again with only the loaded ones bound. A rendering not built by `KernelContext` keeps every input.
 */
export function renderReadInputsOnly(
  kernel: Kernel,
  options: GenerateOptions,
  render: (options: BoundInputsOptions) => GeneratedKernel,
): GeneratedKernel {
  const generated = render(options);
  const loaded = inputsLoaded.get(generated);
  if (loaded === undefined || kernel.inputs.every((node) => loaded.has(node))) return generated;
  const bound: BoundInputsOptions = { ...options, boundInputs: loaded };
  return render(bound);
}

/** The kernel inputs `generated` binds (every input but those its body never reads). */
export function boundInputsOf(generated: GeneratedKernel): ReadonlySet<Node> {
  const inputs = new Set(generated.kernel.inputs);
  const bound = new Set<Node>();
  for (const binding of generated.bindings) {
    if (binding.kind !== 'storage') continue;
    for (const tensor of binding.tensors) if (inputs.has(tensor)) bound.add(tensor);
  }
  return bound;
}
