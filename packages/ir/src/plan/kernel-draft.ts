import type { Kernel } from './kernel-plan.js';

/** A kernel while the planner groups and merges nodes: no position and no schedule yet. */
export type KernelDraft = Omit<Kernel, 'id' | 'schedule'>;
