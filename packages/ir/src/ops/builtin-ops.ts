import { builtinOpList } from './builtin-op-lookup.js';
import type { OpDef } from './op-table.js';

export { builtinOp } from './builtin-op-lookup.js';

/**
 * Every built-in op of `@weft/ir`, in table order: the only ops an op name resolves to without an
 * extension (see {@link builtinOp}). A fixed list: no module adds to it when it loads.
 */
export const BUILTIN_OPS: readonly OpDef[] = builtinOpList();
