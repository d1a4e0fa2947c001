import { type LoadedTensor, mapStateDictNames } from '@weft/models';
import type { CAC } from 'cac';
import type { CliIo } from '../cli-io.js';
import { loadSpecFile } from '../load-spec-file.js';
import { loadWeightsFile } from '../load-weights-file.js';
import { formatBytes, summarizeSpec } from '../spec-summary.js';

/** Options of `weft run`. */
export interface RunOptions {
  /** Path of a safetensors file with the model's weights. */
  readonly weights?: string;
}

/** Registers `weft run <spec.json> [--weights file]`: validates the spec and its weights. */
export function registerRunCommand(cli: CAC, io: CliIo): void {
  cli
    .command('run <spec>', 'Load a model spec and its weights, and run it')
    .option(
      '--weights <file>',
      'Weights in safetensors format (F32, F16, BF16; PyTorch-style names are mapped)',
    )
    .example('weft run examples/small-decoder.json --weights model.safetensors')
    .action(async (specPath: string, options: RunOptions) => {
      const spec = await loadSpecFile(specPath);
      const weights = options.weights === undefined ? undefined : await loadWeightsFile(options.weights);
      io.out(`spec ${specPath}: valid`);
      for (const line of summarizeSpec(spec)) io.out(`  ${line}`);
      if (options.weights !== undefined && weights !== undefined)
        describeWeights(io, options.weights, weights);
      else io.out('weights: none given (--weights FILE)');
      io.out('execution: not available yet (model compilation arrives with the model blocks)');
    });
}

function describeWeights(io: CliIo, path: string, tensors: ReadonlyMap<string, LoadedTensor>): void {
  let elements = 0;
  const dtypes = new Set<string>();
  for (const tensor of tensors.values()) {
    elements += tensor.data.length;
    dtypes.add(tensor.dtype);
  }
  io.out(
    `weights ${path}: ${tensors.size} tensors, ${elements.toLocaleString('en-US')} values ` +
      `(${[...dtypes].sort().join(', ') || 'none'}; ${formatBytes(elements * 4)} loaded)`,
  );
  const { unknown } = mapStateDictNames(tensors.keys());
  if (unknown.length > 0) {
    io.err(
      `warning: ${unknown.length} weight name(s) match no rename rule: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
    );
  }
}
