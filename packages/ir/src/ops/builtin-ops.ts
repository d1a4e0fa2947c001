import { binaryOp } from './binary-ops.js';
import { broadcastOp } from './broadcast-op.js';
import { castOp } from './cast-op.js';
import { concatOp } from './concat-op.js';
import { conv1dOp, conv2dOp } from './conv-ops.js';
import { gatherOp } from './gather-op.js';
import { mapOp } from './map-op.js';
import { matmulOp } from './matmul-op.js';
import type { OpDef } from './op-table.js';
import { padOp } from './pad-op.js';
import { permuteOp } from './permute-op.js';
import { argmaxOp, reduceOp } from './reduce-ops.js';
import { reshapeOp } from './reshape-op.js';
import { scanOp } from './scan-op.js';
import { selectOp } from './select-op.js';
import { sliceOp } from './slice-op.js';
import { constantOp, inputOp, literalOp, paramOp } from './source-ops.js';
import { topkOp } from './topk-op.js';
import { unaryOp } from './unary-ops.js';

/**
 * Every built-in op of `@weft/ir`, in table order: the only ops an op name resolves to without an
 * extension (see {@link builtinOp}). A fixed list: no module adds to it when it loads.
 */
export const BUILTIN_OPS: readonly OpDef[] = Object.freeze([
  inputOp,
  paramOp,
  constantOp,
  literalOp,
  unaryOp,
  binaryOp,
  selectOp,
  castOp,
  mapOp,
  reshapeOp,
  permuteOp,
  broadcastOp,
  sliceOp,
  concatOp,
  padOp,
  gatherOp,
  reduceOp,
  argmaxOp,
  scanOp,
  matmulOp,
  conv1dOp,
  conv2dOp,
  topkOp,
]);

const BY_NAME: ReadonlyMap<string, OpDef> = new Map(BUILTIN_OPS.map((def) => [def.name, def]));

/**
 * The built-in op named `name`, or `undefined` when no built-in op has that name. Built-in ops are
 * the only ones a name resolves to on its own; extension ops travel as values (an `OpDef` passed to
 * `makeNode`, or an `Extension` passed to `graphFromJSON`).
 */
export function builtinOp(name: string): OpDef | undefined {
  return BY_NAME.get(name);
}
