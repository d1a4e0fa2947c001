import type { Extension } from '@weft/ir';
import type { TemplateGenerator } from './generate-kernel.js';

/**
 * An {@link Extension} of `@weft/ir` that also renders its ops: `templates` maps a template name
 * (an `opaque` kernel's anchor op, such as `attention`) to its generator. Passed to code generation
 * through `GenerateOptions.extensions` (and to `compile` in `@weft/runtime`).
 *
 * @example
 * ```ts
 * import { attention } from '@weft/attention/kernels';
 * const kernels = generateProgram(plan, profile, { extensions: [attention] });
 * ```
 */
export interface KernelExtension extends Extension {
  /** WGSL templates by name; a name of a built-in template is never looked up here. */
  readonly templates?: Readonly<Record<string, TemplateGenerator>>;
}
