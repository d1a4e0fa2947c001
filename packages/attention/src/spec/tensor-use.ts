import { type DType, type Expr, exprNodes } from '@weft/ir';

/**
 * What one axis of a captured tensor must be, relative to the attention call: a static size, or
 * the size of one of the call's axes (`batch`, `heads`, `queries`, `keys`), or `one` (broadcast).
 */
export type AxisRole = number | 'batch' | 'heads' | 'queries' | 'keys' | 'one';

/**
 * A tensor that a score mod, mask or normalizer reads, as the attention op sees it: its name,
 * rank and dtype (from the reads), and for built-in parts the size each axis must have.
 */
export interface TensorUse {
  /** Name the tensor is bound under. */
  readonly name: string;
  /** Number of index expressions of its reads. */
  readonly rank: number;
  /** Element dtype of its reads. */
  readonly dtype: DType;
  /** Required size of each axis, when the part knows it. */
  readonly roles?: readonly AxisRole[];
}

/** The tensors read in `exprs`, by name in first-seen order, with the roles given for some of them. */
export function tensorUses(
  exprs: readonly Expr[],
  roles: Readonly<Record<string, readonly AxisRole[]>> = {},
): TensorUse[] {
  const found = new Map<string, TensorUse>();
  for (const expr of exprs) {
    for (const node of exprNodes(expr)) {
      if (node.kind !== 'read') continue;
      const name = String(node.payload);
      if (found.has(name)) continue;
      // Own properties only: a tensor named `constructor` or `toString` has no inherited roles.
      const axisRoles = Object.hasOwn(roles, name) ? roles[name] : undefined;
      found.set(name, {
        name,
        rank: node.args.length,
        dtype: node.dtype,
        ...(axisRoles === undefined ? {} : { roles: axisRoles }),
      });
    }
  }
  return [...found.values()];
}

/** Merges tensor uses of several parts, keeping the first use of each name. */
export function mergeTensorUses(...lists: readonly (readonly TensorUse[])[]): TensorUse[] {
  const merged = new Map<string, TensorUse>();
  for (const list of lists)
    for (const use of list) if (!merged.has(use.name) || use.roles !== undefined) merged.set(use.name, use);
  return [...merged.values()];
}
