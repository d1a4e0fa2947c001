import { binaryOp } from './binary-ops.js';
import { broadcastOp } from './broadcast-op.js';
import { castOp } from './cast-op.js';
import { concatOp } from './concat-op.js';
import { conv1dOp, conv2dOp } from './conv-ops.js';
import { gatherOp } from './gather-op.js';
import { mapOp } from './map-op.js';
import { matmulOp } from './matmul-op.js';
import { type OpDef, registerOp } from './op-table.js';
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
 * Every built-in op of `@weft/ir`, in table order. Importing this module registers them all;
 * modules that rebuild graphs from data (the interpreter, JSON) depend on it so the table is full
 * even when a bundler drops unused builder modules.
 */
export const BUILTIN_OPS: readonly OpDef[] = [
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
];

/**
 * Makes sure every built-in op is in the op table (idempotent). Code that looks ops up by name
 * without calling a builder (the interpreter, JSON loading) calls it first.
 */
export function registerBuiltinOps(): void {
  for (const def of BUILTIN_OPS) registerOp(def);
}
