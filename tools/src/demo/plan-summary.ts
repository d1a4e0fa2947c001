import { type Graph, graphNodes, input, makeGraph, runPipeline, symbolicDim } from '@weft/ir';
import { blockOptions, type DecoderLmConfig, transformerBlock } from '@weft/models';

/** IR ops and kernels of one graph. */
export interface PlanCount {
  /** Operations in the graph before optimization (sources — inputs, params, constants — not counted). */
  readonly ops: number;
  /** Kernels after fusion. */
  readonly kernels: number;
}

const SOURCES = new Set(['input', 'param', 'constant', 'literal']);

/** Counts the IR ops of `graph` and the kernels the fusion planner makes of them. */
export function countPlan(graph: Graph): PlanCount {
  const ops = graphNodes(graph).filter((node) => !SOURCES.has(node.op)).length;
  return { ops, kernels: runPipeline(graph, { fuse: true }).plan.kernels.length };
}

/** The plan count of one decoder block of `config` with its KV cache, on its own. */
export function countBlockPlan(config: DecoderLmConfig): PlanCount {
  const seq = symbolicDim('seq', { max: config.maxSeq });
  const x = input('x', [1, seq, config.dModel]);
  const past = input('past', [1], 'i32');
  const block = transformerBlock(x, blockOptions(config, { maxSeq: config.maxSeq, past }), 'layers.0');
  const cache = block.cache!;
  return countPlan(makeGraph({ y: block.output, key: cache.key.output, value: cache.value.output }));
}
