import { attention as kernels } from '@weft/attention/kernels';
import { makeGraph, type Node } from '@weft/ir';
import { type CompileOptions, compile, type Program } from '@weft/runtime';
import type { CacheState } from '../blocks/self-attention.js';

/**
 * Compiles a cache block's `output` with each of its `states` kept on the device: the state input
 * `name` is replaced after every run by the output `name.next`; `extra` outputs are read out too.
 */
export function compileCacheBlock(
  device: CompileOptions['device'],
  output: Node,
  states: readonly CacheState[],
  extra: Readonly<Record<string, Node>> = {},
): Promise<Program> {
  const outputs: Record<string, Node> = { ...extra, output };
  const state: Record<string, string> = {};
  for (const entry of states) {
    const name = String(entry.input.attrs.name);
    outputs[`${name}.next`] = entry.output;
    state[name] = `${name}.next`;
  }
  return compile(makeGraph(outputs), { device, state, extensions: [kernels] });
}
