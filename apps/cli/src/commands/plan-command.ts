import { attention } from '@weft/attention/kernels';
import { formatKernelPlan, graphNodes, runPipeline } from '@weft/ir';
import { buildDecoderLmGraph, modelSpecToJSON } from '@weft/models';
import { DEFAULT_DEVICE_PROFILE, generateProgram } from '@weft/wgsl';
import type { CAC } from 'cac';
import type { CliIo } from '../cli-io.js';
import { loadSpecFile } from '../load-spec-file.js';
import { formatBytes, summarizeSpec } from '../spec-summary.js';

/** Options of `weft plan`. */
export interface PlanOptions {
  /** Print the validated spec as normalized JSON (defaults written out) instead of the plan. */
  readonly json?: boolean;
  /** Also print the generated WGSL of every kernel. */
  readonly wgsl?: boolean;
}

const SOURCES = new Set(['input', 'param', 'constant', 'literal']);

/**
 * Registers `weft plan <spec.json>`: validates a spec and prints the kernel plan of its decode
 * step program (IR ops → fused kernels, the tensors each reads and writes, arena bytes), and with
 * `--wgsl` the generated WGSL (for a default device profile; no GPU needed).
 */
export function registerPlanCommand(cli: CAC, io: CliIo): void {
  cli
    .command(
      'plan <spec>',
      'Validate a model spec (JSON, or a Hugging Face model directory) and print its kernel plan',
    )
    .option('--json', 'Print the validated spec as normalized JSON, defaults filled in')
    .option('--wgsl', 'Also print the WGSL of every kernel')
    .example('weft plan examples/small-decoder.json --wgsl')
    .action(async (specPath: string, options: PlanOptions) => {
      const spec = await loadSpecFile(specPath);
      if (options.json === true) {
        io.out(modelSpecToJSON(spec).trimEnd());
        return;
      }
      io.out(`spec ${specPath}: valid`);
      for (const line of summarizeSpec(spec)) io.out(`  ${line}`);
      const { graph } = buildDecoderLmGraph(spec.config, { mode: 'step' });
      const ops = graphNodes(graph).filter((node) => !SOURCES.has(node.op)).length;
      const { plan, memory } = runPipeline(graph, { fuse: true });
      io.out(
        `kernel plan (decode step, KV cache on the device): ${ops} IR ops -> ${plan.kernels.length} kernels, ` +
          `${plan.kernels.length} dispatches per token, arena ${formatBytes(memory.arenaBytes)}`,
      );
      for (const line of formatKernelPlan(plan, memory).trimEnd().split('\n')) io.out(`  ${line}`);
      if (options.wgsl !== true) return;
      for (const kernel of generateProgram(plan, DEFAULT_DEVICE_PROFILE, {
        inputAccess: 'arena',
        extensions: [attention],
      })) {
        io.out('');
        io.out(kernel.wgsl.trimEnd());
      }
    });
}
