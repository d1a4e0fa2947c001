import type { Node } from '../graph/node.js';
import type { Kernel } from './kernel-plan.js';
import type { StridedView } from './strided-view.js';

/**
 * A kernel while the planner groups and merges nodes: no position and no schedule yet; an opaque
 * op's kernel carries the strided views it reads and writes (by view).
 */
export type KernelDraft = Omit<Kernel, 'id' | 'schedule'> & {
  readonly views?: ReadonlyMap<Node, StridedView>;
};
