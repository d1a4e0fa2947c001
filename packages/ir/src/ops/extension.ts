import type { Attrs } from '../graph/node.js';
import type { OpDef } from './op-table.js';

/**
 * Ops that are not built into `@weft/ir`, passed explicitly wherever an op must be found by name
 * (`graphFromJSON`; code generation takes extensions with templates, see `KernelExtension` in
 * `@weft/wgsl`). A plain value: loading the module that defines it changes no table, so a bundler
 * may drop or keep it freely.
 *
 * @example
 * ```ts
 * import { attention } from '@weft/attention/kernels';
 * const graph = graphFromJSON(saved, { extensions: [attention] });
 * ```
 */
export interface Extension {
  /** Name for error messages (`attention`). */
  readonly name: string;
  /** Ops of the extension, found by their `name`. */
  readonly ops?: readonly OpDef[];
  /**
   * The definition of op `op` with attributes `attrs`, for ops whose definition depends on their
   * attributes; `undefined` when the extension does not define it. Asked before {@link Extension.ops}.
   */
  resolveOp?(op: string, attrs: Attrs): OpDef | undefined;
}

/**
 * The op named `op` among the extensions, in order (each one's `resolveOp`, then its `ops`), or
 * `undefined` when none defines it. Built-in ops are looked up first by the callers.
 */
export function resolveExtensionOp(
  op: string,
  attrs: Attrs,
  extensions: readonly Extension[],
): OpDef | undefined {
  for (const extension of extensions) {
    const resolved = extension.resolveOp?.(op, attrs) ?? extension.ops?.find((def) => def.name === op);
    if (resolved !== undefined) return resolved;
  }
  return undefined;
}

/** Where the ops Weft's own packages define live, for the hint of an unknown-op error. */
const KNOWN_EXTENSION_OPS: Readonly<Record<string, string>> = {
  attention: "pass `extensions: [attention]`, with `attention` from '@weft/attention/kernels'",
  linearAttention: "pass `extensions: [linearAttentionExtension]`, from '@weft/attention/linear-kernels'",
  'linearAttention.state':
    "pass `extensions: [linearAttentionExtension]`, from '@weft/attention/linear-kernels'",
};

/** How to make op `op` known, for error messages: the extension that defines it, when Weft knows it. */
export function unknownOpHint(op: string, extensions: readonly Extension[]): string {
  const known = Object.hasOwn(KNOWN_EXTENSION_OPS, op) ? KNOWN_EXTENSION_OPS[op] : undefined;
  const given =
    extensions.length === 0
      ? 'no extensions were given'
      : `extensions given: ${extensions.map((extension) => extension.name).join(', ')}`;
  return `${known ?? 'pass the extension that defines it in `extensions`'} (${given})`;
}
