import { InputError } from '@weft/ir';
import { compileModel, type LoadedTensor, type Sampling } from '@weft/models';
import type { CAC } from 'cac';
import type { CliIo } from '../cli-io.js';
import { loadSpecFile } from '../load-spec-file.js';
import { loadWeightsFile } from '../load-weights-file.js';
import { createProgressBar, type ProgressStream } from '../progress-bar.js';
import { formatBytes, summarizeSpec } from '../spec-summary.js';

/** Options of `weft run`. */
export interface RunOptions {
  /** Path of a safetensors file with the model's weights (seeded random weights otherwise). */
  readonly weights?: string;
  /** Prompt token ids separated by spaces or commas. */
  readonly prompt?: string;
  /** Tokens to generate. */
  readonly tokens?: number;
  /** Seed of the random weights. */
  readonly seed?: number;
  /** `auto` (WebGPU, else the CPU) or `cpu`. */
  readonly device?: string;
  /** Sampling temperature; greedy when absent. */
  readonly temperature?: number;
  /** Keep the k most likely tokens when sampling. */
  readonly topK?: number;
  /** Nucleus probability when sampling. */
  readonly topP?: number;
  /** Seed of the sampler. */
  readonly sampleSeed?: number;
}

/**
 * Registers `weft run <spec.json>`: compiles the model (its weights, or seeded random ones) on
 * WebGPU or the CPU fallback and generates from a prompt, with progress bars on stderr.
 */
export function registerRunCommand(cli: CAC, io: CliIo): void {
  const progressStream = io.progress;
  cli
    .command('run <spec>', 'Compile a model spec and generate tokens from a prompt')
    .option(
      '--weights <file>',
      'Weights in safetensors format (F32, F16, BF16; PyTorch-style names are mapped)',
    )
    .option('--prompt <ids>', 'Prompt token ids, e.g. "1 2 3"', { default: '1' })
    .option('--tokens <n>', 'Tokens to generate', { default: 16 })
    .option('--seed <n>', 'Seed of the random weights when no --weights are given', { default: 0 })
    .option('--device <device>', 'auto (WebGPU when an adapter exists, else the CPU) or cpu', {
      default: 'auto',
    })
    .option('--temperature <t>', 'Sample at this temperature instead of greedy decoding')
    .option('--top-k <k>', 'Sample among the k most likely tokens')
    .option('--top-p <p>', 'Sample from the smallest set with this probability')
    .option('--sample-seed <n>', 'Seed of the sampler', { default: 0 })
    .example('weft run examples/small-decoder.json --prompt "1 2 3" --tokens 8')
    .action(async (specPath: string, options: RunOptions) => {
      const spec = await loadSpecFile(specPath);
      const prompt = parsePrompt(options.prompt ?? '1', spec.config.vocabSize);
      const maxTokens = positiveInteger(options.tokens ?? 16, '--tokens');
      const device = options.device ?? 'auto';
      if (device !== 'auto' && device !== 'cpu')
        throw new InputError('--device must be auto or cpu', { expected: 'auto | cpu', actual: device });
      const weights = options.weights === undefined ? undefined : await loadWeightsFile(options.weights);
      io.out(`spec ${specPath}: valid`);
      for (const line of summarizeSpec(spec)) io.out(`  ${line}`);
      if (options.weights !== undefined && weights !== undefined)
        describeWeights(io, options.weights, weights);
      else io.out(`weights: seeded random (seed ${options.seed ?? 0}; pass --weights FILE for real ones)`);

      const compileBar = createProgressBar({ total: 3, label: 'compiling', ...streamOption(progressStream) });
      const model = await compileModel(spec, {
        device,
        seed: options.seed ?? 0,
        ...(weights === undefined ? {} : { weights }),
        onProgress: ({ done }) => compileBar.update(done),
      });
      compileBar.finish();
      try {
        io.out(
          model.backend === 'cpu'
            ? `backend: CPU reference interpreter${model.fallbackReason === undefined ? '' : ` (no WebGPU: ${model.fallbackReason})`}`
            : `backend: WebGPU, ${model.decoder.stats.kernels} kernels, ${model.decoder.stats.dispatchesPerRun} dispatches per token`,
        );
        const generationBar = createProgressBar({
          total: maxTokens,
          label: 'generating',
          ...streamOption(progressStream),
        });
        const result = await model.generate(prompt, {
          maxTokens,
          sampling: samplingOf(options),
          onToken: (_token, index) => generationBar.update(index + 1),
        });
        generationBar.finish();
        io.out(`prompt: ${prompt.join(' ')}`);
        io.out(`generated (${result.tokens.length}, ${result.stopReason}): ${result.tokens.join(' ')}`);
        const perToken = result.decodeSteps === 0 ? 0 : result.decodeMs / result.decodeSteps;
        io.out(`prefill ${result.prefillMs.toFixed(1)} ms, ${perToken.toFixed(1)} ms per token`);
      } finally {
        model.destroy();
      }
    });
}

function samplingOf(options: RunOptions): Sampling {
  if (options.temperature === undefined && options.topK === undefined && options.topP === undefined)
    return { kind: 'greedy' };
  return {
    kind: 'random',
    ...(options.temperature === undefined ? {} : { temperature: Number(options.temperature) }),
    ...(options.topK === undefined ? {} : { topK: Number(options.topK) }),
    ...(options.topP === undefined ? {} : { topP: Number(options.topP) }),
    seed: Number(options.sampleSeed ?? 0),
  };
}

function parsePrompt(text: string, vocabSize: number): number[] {
  const ids = String(text)
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .map(Number);
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
  if (ids.length === 0 || bad !== undefined) {
    throw new InputError('--prompt must list token ids of the vocabulary', {
      tensor: 'prompt',
      expected: `integers in 0..${vocabSize - 1}`,
      actual: bad ?? 'no ids',
    });
  }
  return ids;
}

function positiveInteger(value: number, option: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InputError(`${option} must be a positive integer`, { expected: 'integer >= 1', actual: value });
  return number;
}

function streamOption(stream: ProgressStream | undefined): { stream?: ProgressStream } {
  return stream === undefined ? {} : { stream };
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
}
