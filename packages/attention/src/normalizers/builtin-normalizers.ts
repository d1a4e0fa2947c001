import { ENTMAX } from './entmax.js';
import { GROUPED_SOFTMAX } from './grouped-softmax.js';
import { IDENTITY } from './identity.js';
import { L1 } from './l1.js';
import { NAP } from './nap.js';
import { P_LAPLACIAN } from './p-laplacian.js';
import { RELU_SQUARED } from './relu-squared.js';
import { SIGMOID } from './sigmoid.js';
import { SOFTMAX } from './softmax.js';
import { TOP_THETA } from './top-theta.js';

/** The built-in normalizer defs, in the order the documentation lists them. */
export const BUILTIN_NORMALIZERS = [
  SOFTMAX,
  SIGMOID,
  RELU_SQUARED,
  L1,
  TOP_THETA,
  ENTMAX,
  NAP,
  IDENTITY,
  GROUPED_SOFTMAX,
  P_LAPLACIAN,
] as const;
