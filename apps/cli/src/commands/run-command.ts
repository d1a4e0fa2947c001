import { stat } from 'node:fs/promises';
import { InputError } from '@weft/ir';
import { compileModel, isArchitectureSpec } from '@weft/models';
import { finishProgressWith, startProgress } from '@weft/zoo/cli';
import type { CAC } from 'cac';
import { resolveSpecPath } from '../bundled-examples.js';
import type { CliIo } from '../cli-io.js';
import { loadSpecFile } from '../load-spec-file.js';
import { loadWeightsFile } from '../load-weights-file.js';
import { summarizeSpec } from '../spec-summary.js';
import { checkRunOptions } from './check-command-options.js';
import {
  checkPrecisionFlags,
  describePrecision,
  deviceForPrecision,
  type PrecisionFlags,
  withPrecisionOptions,
} from './precision-option.js';
import { runArchitecture } from './run-architecture.js';
import {
  backendLine,
  compileWithProgress,
  describeWeights,
  deviceOption,
  parsePrompt,
  positiveInteger,
  samplingOf,
  streamOption,
  timingLine,
} from './run-helpers.js';
import { runHuggingFaceDirectory } from './run-hugging-face.js';

/** Options of `weft run`. */
export interface RunOptions extends PrecisionFlags {
  /** Path of a safetensors file with the model's weights (seeded random weights otherwise). */
  readonly weights?: string;
  /** Prompt token ids separated by spaces or commas; text for a model directory with a tokenizer. */
  readonly prompt?: string;
  /** An image (PNG or JPEG) for a ViT model directory. */
  readonly image?: string;
  /** A JSON file to write an encoder directory's hidden states and pooled output to. */
  readonly output?: string;
  /** Longest sequence to compile a model directory for (caps `max_position_embeddings`). */
  readonly maxSeq?: number;
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
 * Registers `weft run <spec.json | model-dir>`: compiles the model (a JSON spec with its weights
 * or seeded random ones, or a Hugging Face model directory) on WebGPU or the CPU fallback and
 * generates from a prompt, with the progress on stderr. An architecture spec (encoder, ViT, DiT,
 * encoder–decoder) runs its forward pass on inputs that fit its kind (see `runArchitecture`). A
 * decoder directory's prompt is text when it has a `tokenizer.json`, and the generated text is
 * printed as it is produced; a BERT directory encodes `--prompt`, a ViT directory `--image`.
 */
export function registerRunCommand(cli: CAC, io: CliIo): void {
  const progressStream = io.progress;
  const command = cli.command(
    'run <model>',
    'Compile a model spec (JSON) or a Hugging Face model directory and generate from a prompt (decoders) or encode it (BERT: --prompt, ViT: --image)',
  );
  withPrecisionOptions(command)
    .option(
      '--weights <file>',
      'Weights in safetensors format (F32, F16, BF16; PyTorch-style names are mapped)',
    )
    .option(
      '--prompt <prompt>',
      'Prompt token ids, e.g. "1 2 3" (default 1); text for a model directory with a tokenizer.json (a decoder generates from it, BERT encodes it)',
    )
    .option(
      '--image <file>',
      'An image (PNG or JPEG) for a ViT model directory, resized and normalized as its preprocessor_config.json says',
    )
    .option('--output <file>', "Write an encoder directory's hidden states and pooled output as JSON")
    .option('--max-seq <n>', 'Longest sequence to compile a model directory for', { default: 2048 })
    .option('--tokens <n>', 'Tokens to generate (n ≥ 1; default 16; not for BERT or ViT directories)')
    .option('--seed <n>', 'Seed of the random weights when no --weights are given (an integer ≥ 0)', {
      default: 0,
    })
    .option('--device <device>', 'auto (WebGPU when an adapter exists, else the CPU) or cpu', {
      default: 'auto',
    })
    .option('--temperature <t>', 'Sample at this temperature instead of greedy decoding (t ≥ 0; 0 is greedy)')
    .option('--top-k <k>', 'Sample among the k most likely tokens (k ≥ 1)')
    .option('--top-p <p>', 'Sample from the smallest set with this probability (0 < p ≤ 1)')
    .option('--sample-seed <n>', 'Seed of the sampler (an integer ≥ 0)', { default: 0 })
    .example('weft run examples/small-decoder.json --prompt "1 2 3" --tokens 8')
    .example('weft run examples/vit.json')
    .example('weft run path/to/SmolLM-135M --prompt "The capital of France is" --tokens 20')
    .example('weft run path/to/bert-base-uncased --prompt "Hello world" --output bert.json')
    .example('weft run path/to/vit-base-patch16-224 --image cat.jpg')
    .action(async (givenPath: string, givenOptions: RunOptions) => {
      const options = checkRunOptions(givenOptions);
      const precision = checkPrecisionFlags(options);
      const specPath = await resolveSpecPath(givenPath, io);
      if (await isDirectory(specPath)) return runHuggingFaceDirectory(specPath, options, givenOptions, io);
      refuseDirectoryOnlyOptions(options);
      const spec = await loadSpecFile(specPath);
      if (isArchitectureSpec(spec)) return runArchitecture(specPath, spec, options, io);
      const prompt = parsePrompt(options.prompt ?? '1', spec.config.vocabSize);
      const maxTokens = positiveInteger(options.tokens ?? 16, '--tokens');
      const { device, fallbackReason } = await deviceForPrecision(deviceOption(options), precision);
      const weights = options.weights === undefined ? undefined : await loadWeightsFile(options.weights);
      io.out(`spec ${specPath}: valid`);
      for (const line of summarizeSpec(spec)) io.out(`  ${line}`);
      if (options.weights !== undefined && weights !== undefined)
        describeWeights(io, options.weights, weights);
      else io.out(`weights: seeded random (seed ${options.seed ?? 0}; pass --weights FILE for real ones)`);

      const model = await compileWithProgress(progressStream, (onProgress) =>
        compileModel(spec, {
          device,
          seed: options.seed ?? 0,
          ...(weights === undefined ? {} : { weights }),
          ...precision,
          ...(fallbackReason === undefined ? {} : { fallbackReason }),
          onProgress,
        }),
      );
      try {
        io.out(backendLine(model));
        if (model.backend !== 'cpu') io.out(describePrecision(precision));
        const generating = startProgress({
          label: 'generating',
          total: maxTokens,
          unit: 'tokens',
          ...streamOption(progressStream),
        });
        const result = await finishProgressWith(
          generating,
          model.generate(prompt, {
            maxTokens,
            sampling: samplingOf(options),
            onToken: (_token, index) => generating.update(index + 1),
          }),
          (generated) => generated.stopReason,
        );
        io.out(`prompt: ${prompt.join(' ')}`);
        io.out(`generated (${result.tokens.length}, ${result.stopReason}): ${result.tokens.join(' ')}`);
        io.out(timingLine(result));
      } finally {
        model.destroy();
      }
    });
}

/** `--image` and `--output` belong to encoder model directories. */
function refuseDirectoryOnlyOptions(options: RunOptions): void {
  for (const [flag, value] of [
    ['--image', options.image],
    ['--output', options.output],
  ] as const) {
    if (value !== undefined)
      throw new InputError(
        `${flag} goes with a Hugging Face encoder directory (${flag === '--image' ? 'ViT' : 'BERT or ViT'}), not a spec file`,
        {
          expected: `weft run ./model-dir ${flag} ${flag === '--image' ? 'photo.png' : 'out.json'}`,
          actual: `${flag} ${value}`,
        },
      );
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
