import { attention } from '@weft/attention/kernels';
import { linearAttentionExtension } from '@weft/attention/linear-kernels';
import type { KernelExtension } from '@weft/wgsl';

/**
 * The extensions that zoo graphs need to compile (`attention`, from `@weft/attention/kernels`, and
 * `linearAttentionExtension`, from `@weft/attention/linear-kernels`):
 * pass them to `compile` with an entry's graph, as `pnpm zoo` does.
 */
export const ZOO_EXTENSIONS: readonly KernelExtension[] = [attention, linearAttentionExtension];
