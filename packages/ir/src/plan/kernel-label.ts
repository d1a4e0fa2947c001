import { labelOf, nearestLabel } from '../graph/label.js';
import { defOf } from './def-of.js';
import type { Kernel } from './kernel-plan.js';

/**
 * The user name of the block a kernel computes: the label of its anchor (the matmul, the last
 * reduction, the attention op), else of the last labelled node it writes or computes, else of the
 * nearest labelled operand of its anchor; `undefined` when nothing in reach has a label.
 *
 * @example
 * ```ts
 * const x = input('x', [16, 64]);
 * const q = withLabel('layers.0.attn.q', () => matmul(x, param('layers.0.attn.wq', [64, 64])));
 * const plan = planFusion(makeGraph({ q }));
 * plan.kernels.map(kernelBlockLabel); // ['layers.0.attn.q']
 * ```
 */
export function kernelBlockLabel(kernel: Kernel): string | undefined {
  const direct = labelOf(kernel.anchor);
  if (direct !== undefined) return direct;
  for (const node of [...kernel.outputs, ...[...kernel.nodes].reverse()]) {
    const label = labelOf(node);
    if (label !== undefined) return label;
  }
  return nearestLabel(kernel.anchor);
}

/**
 * A kernel's name for people: its block ({@link kernelBlockLabel}), its template and the main
 * options of its anchor, e.g. `layers.0.attn · attention (causal, softmax)` or
 * `layers.0.mlp.down · matmul`; without a label, the template and options alone (`row (mean)`).
 * Raw user text: sanitize it before printing it into code.
 *
 * @example
 * ```ts
 * const x = input('x', [16, 64]);
 * const y = withLabel('layers.0.mlp.up', () => matmul(x, param('layers.0.mlp.wUp', [64, 256])));
 * planFusion(makeGraph({ y })).kernels.map((kernel) => kernelTitle(kernel)); // ['layers.0.mlp.up · matmul']
 * ```
 */
export function kernelTitle(kernel: Kernel, separator = ' · '): string {
  const block = kernelBlockLabel(kernel);
  const what = kernelSummary(kernel);
  return block === undefined ? what : `${block}${separator}${what}`;
}

/**
 * A kernel's template and the main options of its anchor, without its block: `matmul`,
 * `row (mean)`, `attention (causal(bottom-right), softmax)`. The ops' `describe` gives the options.
 *
 * @example
 * ```ts
 * import { layerNorm } from '@weft/norms';
 *
 * const x = input('x', [16, 64]);
 * const [kernel] = planFusion(makeGraph({ y: layerNorm(x, { name: 'ln' }) })).kernels;
 * kernelSummary(kernel!); // 'row (mean)'
 * ```
 */
export function kernelSummary(kernel: Kernel): string {
  const details = anchorDetails(kernel);
  return details === '' ? kernel.template : `${kernel.template} (${details})`;
}

function anchorDetails(kernel: Kernel): string {
  const anchor = kernel.anchor;
  const described = defOf(anchor).describe?.(anchor);
  if (described !== undefined) return described;
  if (anchor.op === 'matmul') {
    return ['transposeA', 'transposeB'].filter((flag) => anchor.attrs[flag] === true).join(', ');
  }
  if (kernel.template === 'row') {
    const reductions = kernel.nodes
      .filter((node) => node.op === 'reduce' && typeof node.attrs.fn === 'string')
      .map((node) => node.attrs.fn as string);
    return [...new Set(reductions)].join(', ');
  }
  return typeof anchor.attrs.fn === 'string' && anchor.attrs.fn !== kernel.template ? anchor.attrs.fn : '';
}
