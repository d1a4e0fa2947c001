import type { DimBindings } from '@weft/ir';
import type { GeneratedKernel, KernelContext } from '@weft/wgsl';
import { ATTENTION_OP } from '../op/attention-attrs.js';
import { decodeAttentionNode } from '../op/attention-node.js';
import { LOWEST_F32 } from './online-tile-code.js';
import { accumulateValueTileFunction } from './value-tile-code.js';
import { dropUnusedLets, type KernelFunctions, mentions, wrapLine } from './wgsl-functions.js';

/** How the entry point of an attention kernel is dispatched. */
export interface AttentionEntry {
  /** Invocations per workgroup. */
  readonly workgroupSize: [number, number, number];
  /** Workgroups for the run-time lengths. */
  readonly workgroupCount: (dims: DimBindings) => number;
  /** Whether the body uses subgroup builtins (`subgroup_lane`) and functions. */
  readonly subgroups?: boolean;
}

/**
 * Assembles the module: the helpers the body calls (`accumulate_value_tile` where a normalizer
 * uses it), the entry's header lets it reads, and the `Block` value the helpers read.
 */
export function buildKernel(
  context: KernelContext,
  functions: KernelFunctions,
  prologue: readonly string[],
  body: readonly string[],
  entry: AttentionEntry,
): GeneratedKernel {
  if (
    functions.calls('accumulate_value_tile') ||
    body.some((line) => line.includes('accumulate_value_tile('))
  ) {
    const valueDim = decodeAttentionNode(context.kernel.anchor).valueDim;
    functions.add(accumulateValueTileFunction(valueDim, (value) => context.half.widen4(value)));
  }
  const { functions: declarations, blockValue } = functions.declarations();
  const lines = dropUnusedLets([...prologue, ...blockValue, ...body]).flatMap((line) => wrapLine(line, 116));
  const constants = [...declarations, ...lines].some((text) => mentions(text, LOWEST_F32))
    ? [
        `// The most negative finite f32: a running max before any key (no reliance on infinities).\nconst ${LOWEST_F32} = -3.4028234e38;`,
      ]
    : [];
  const generated = context.build(ATTENTION_OP, {
    workgroupSize: entry.workgroupSize,
    workgroupCount: entry.workgroupCount,
    ...(entry.subgroups === true ? { subgroups: true } : {}),
    functions: [...constants, ...declarations],
    body: lines,
  });
  return { ...generated, wgsl: withSectionComments(generated.wgsl) };
}

/**
 * Heads the module's sections with a comment, in their fixed order: params, bindings, workgroup
 * memory, helpers (constants, per-invocation state, structs and functions), entry point.
 */
function withSectionComments(wgsl: string): string {
  const lines = wgsl.split('\n');
  const sections: [(line: string) => boolean, string][] = [
    [(line) => line.startsWith('struct Params {'), '// ---- params: run-time lengths (uniform) ----'],
    [(line) => line.startsWith('@group('), '// ---- bindings ----'],
    [(line) => line.startsWith('var<workgroup>'), '// ---- workgroup memory ----'],
    [
      (line) => /^(?:\/\/ |const |var<private>|struct |fn )/.test(line) && !line.startsWith('fn main('),
      '// ---- helpers ----',
    ],
    [(line) => line.startsWith('@compute'), '// ---- entry point ----'],
  ];
  const header = lines.indexOf('');
  const out = lines.slice(0, header);
  let next = 0;
  for (const [index, line] of lines.entries()) {
    if (index < header) continue;
    const section = sections.findIndex(([starts], position) => position >= next && starts(line));
    if (section >= 0 && (index === 0 || lines[index - 1] === '')) {
      out.push(sections[section]![1]);
      next = section + 1;
    }
    out.push(line);
  }
  return out.join('\n');
}
