import { writeFile } from 'node:fs/promises';
import { attention } from '@weft/attention/kernels';
import { InputError } from '@weft/ir';
import {
  buildHuggingFaceEncoderGraph,
  type HuggingFaceEncoder,
  type HuggingFaceEncoderModelType,
  loadHuggingFaceEncoder,
} from '@weft/models/hf';
import { compile, type Program } from '@weft/runtime';
import { type Progress, startProgress } from '@weft/zoo/cli';
import { formatValues } from '../architecture-inputs.js';
import type { CliIo } from '../cli-io.js';
import { formatBytes } from '../format-bytes.js';
import { imagePixels, readImageFile } from '../image-input.js';
import { readVitPreprocessing } from '../vit-preprocessing.js';
import { checkPrecisionFlags, deviceForPrecision } from './precision-option.js';
import type { RunOptions } from './run-command.js';
import { deviceOption, parsePrompt, streamOption } from './run-helpers.js';

/** Generation options an encoder has no use for: refused when given on the command line. */
const GENERATION_FLAGS = [
  ['tokens', '--tokens'],
  ['temperature', '--temperature'],
  ['topK', '--top-k'],
  ['topP', '--top-p'],
] as const;

/** The inputs of one encoder run, the lines that describe them and what `--output` records of them. */
interface EncoderInputs {
  readonly feeds: Record<string, Int32Array | Float32Array>;
  readonly dims: Record<string, number>;
  readonly lines: readonly string[];
  readonly record: Record<string, unknown>;
}

/**
 * `weft run <encoder-dir>`: a BERT directory encodes `--prompt` (text through its WordPiece
 * `tokenizer.json`, else token ids), a ViT directory encodes `--image` (PNG or JPEG, preprocessed
 * as its `preprocessor_config.json` says); prints the hidden states' shape and the pooled output
 * (the first values and the L2 norm; the first token's hidden state when the checkpoint has no
 * pooler), the backend, kernels and forward time, and with `--output` writes them as JSON.
 *
 * @param given the options exactly as typed (before defaults), to refuse generation flags.
 */
export async function runHuggingFaceEncoderDirectory(
  dir: string,
  modelType: HuggingFaceEncoderModelType,
  options: RunOptions,
  given: RunOptions,
  io: CliIo,
): Promise<void> {
  checkEncoderOptions(modelType, options, given);
  const stream = streamOption(io.progress);
  let loading: Progress | undefined;
  const hf = await loadHuggingFaceEncoder(dir, {
    onProgress: (done, total) => {
      loading ??= startProgress({ label: 'loading', total, unit: 'tensors', ...stream });
      loading.update(done);
    },
  }).finally(() => loading?.stop());
  const values = Object.values(hf.weights).reduce((total, data) => total + data.length, 0);
  io.out(`model ${dir}: ${hf.modelType} (config.json), encoder`);
  io.out(`  ${describeDefinition(hf)}`);
  io.out(
    `weights: ${Object.keys(hf.weights).length} parameters, ${values.toLocaleString('en-US')} values ` +
      `(${formatBytes(values * 4)} as float32)` +
      (hf.ignoredTensors.length === 0
        ? ''
        : `; ${hf.ignoredTensors.length} stored tensors not read (task head, buffers)`),
  );
  const inputs =
    hf.modelType === 'bert'
      ? await bertInputs(hf, String(options.prompt))
      : await vitInputs(hf, String(options.image));
  const precision = checkPrecisionFlags(options);
  const { device, fallbackReason } = await deviceForPrecision(deviceOption(options), precision);
  const program = await compile(buildHuggingFaceEncoderGraph(hf, { batch: 1 }), {
    device,
    params: hf.weights,
    extensions: [attention],
    ...precision,
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
  });
  try {
    io.out(backendLine(program));
    for (const line of inputs.lines) io.out(line);
    const started = performance.now();
    const outputs = await program.run(inputs.feeds, { dims: inputs.dims });
    const elapsed = performance.now() - started;
    const hidden = outputs.hidden!;
    const [, tokens, width] = hidden.shape as [number, number, number];
    io.out(`hidden [${hidden.shape.join(', ')}]: ${tokens} tokens of hidden size ${width}`);
    const pooled = outputs.pooled;
    const summary = pooled?.data ?? hidden.data.subarray(0, width);
    io.out(
      `${pooled === undefined ? 'first token (no pooler in the checkpoint)' : 'pooled'} [${width}]: ` +
        `${formatValues(summary, 8)} (L2 norm ${l2Norm(summary).toPrecision(6)})`,
    );
    io.out(`forward ${elapsed.toFixed(1)} ms`);
    if (options.output !== undefined) {
      const record = {
        model: dir,
        modelType: hf.modelType,
        inputs: inputs.record,
        hidden: { shape: hidden.shape, data: Array.from(hidden.data) },
        ...(pooled === undefined ? {} : { pooled: { shape: pooled.shape, data: Array.from(pooled.data) } }),
      };
      await writeFile(String(options.output), `${JSON.stringify(record)}\n`);
      io.out(`wrote ${options.output}`);
    }
  } finally {
    program.destroy();
  }
}

/** Refuses what does not fit the directory's kind: the input flag of the other kind, generation flags, --weights. */
function checkEncoderOptions(
  modelType: HuggingFaceEncoderModelType,
  options: RunOptions,
  given: RunOptions,
): void {
  const kind = modelType === 'bert' ? 'a BERT (text encoder) directory' : 'a ViT (image encoder) directory';
  const takes = modelType === 'bert' ? '--prompt "text"' : '--image photo.png|photo.jpg';
  if (options.weights !== undefined)
    throw new InputError('--weights does not go with a model directory: its weights are read from it', {
      expected: `${kind} with ${takes}`,
      actual: options.weights,
    });
  for (const [key, flag] of GENERATION_FLAGS) {
    if (given[key] !== undefined)
      throw new InputError(
        `${flag} does not go with ${kind}: an encoder runs one forward pass and generates nothing`,
        {
          expected: takes,
          actual: `${flag} ${given[key]}`,
        },
      );
  }
  if (modelType === 'bert') {
    if (options.image !== undefined)
      throw new InputError(`--image does not go with ${kind}: it takes --prompt "text"`, {
        expected: '--prompt "text" (or token ids without a tokenizer.json)',
        actual: `--image ${options.image}`,
      });
    if (options.prompt === undefined)
      throw new InputError(`--prompt is required with ${kind}`, { expected: '--prompt "some text"' });
  } else {
    if (options.prompt !== undefined)
      throw new InputError(`--prompt does not go with ${kind}: it takes --image`, {
        expected: '--image photo.png|photo.jpg',
        actual: `--prompt ${options.prompt}`,
      });
    if (options.image === undefined)
      throw new InputError(`--image is required with ${kind}`, {
        expected: '--image photo.png|photo.jpg (PNG or JPEG)',
      });
  }
}

/** `--prompt` through the directory's tokenizer (or as token ids), one sequence, token types 0. */
async function bertInputs(
  hf: HuggingFaceEncoder & { modelType: 'bert' },
  prompt: string,
): Promise<EncoderInputs> {
  const { vocabSize, maxSeq } = hf.definition;
  const ids = hf.tokenizer === undefined ? parsePrompt(prompt, vocabSize) : hf.tokenizer.encode(prompt);
  const outside = ids.find((id) => id >= vocabSize);
  if (outside !== undefined)
    throw new InputError('the tokenizer gave a token id outside the model vocabulary', {
      tensor: 'prompt',
      expected: `ids below ${vocabSize}`,
      actual: outside,
    });
  if (ids.length > maxSeq)
    throw new InputError(
      `--prompt has ${ids.length} tokens; the model takes at most ${maxSeq} (max_position_embeddings)`,
      {
        expected: `1..${maxSeq} tokens`,
        actual: ids.length,
      },
    );
  return {
    feeds: {
      tokens: Int32Array.from(ids),
      tokenTypes: new Int32Array(ids.length),
      lengths: Int32Array.of(ids.length),
    },
    dims: { seq: ids.length },
    lines: [
      `prompt: ${ids.length} tokens (${ids.join(' ')})` +
        (hf.tokenizer === undefined
          ? '; no tokenizer.json: the prompt is token ids'
          : ', WordPiece tokenizer.json'),
    ],
    record: { tokens: ids },
  };
}

/** `--image` decoded, resized and normalized as the directory's processor says. */
async function vitInputs(
  hf: HuggingFaceEncoder & { modelType: 'vit' },
  path: string,
): Promise<EncoderInputs> {
  const { imageSize, channels } = hf.definition;
  if (channels !== 3)
    throw new InputError(
      `--image: the model takes ${channels}-channel images; weft run --image feeds RGB only`,
      {
        tensor: 'num_channels',
        expected: 3,
        actual: channels,
      },
    );
  const size: [number, number] =
    typeof imageSize === 'number' ? [imageSize, imageSize] : [imageSize[0], imageSize[1]];
  const { preprocessing, resize, description } = await readVitPreprocessing(hf.dir, size);
  const image = await readImageFile(path);
  if (!resize && (image.height !== size[0] || image.width !== size[1]))
    throw new InputError(
      `--image is ${image.height}×${image.width}; the processor does not resize and the model takes ${size[0]}×${size[1]}`,
      {
        expected: `${size[0]}×${size[1]}`,
        actual: `${image.height}×${image.width}`,
      },
    );
  return {
    feeds: { pixels: imagePixels(image, preprocessing) },
    dims: {},
    lines: [`image ${path}: ${image.width}×${image.height} (width×height)`, `  ${description}`],
    record: { image: path, width: image.width, height: image.height, pixels: [1, 3, ...size] },
  };
}

function describeDefinition(hf: HuggingFaceEncoder): string {
  const { layers, dModel } = hf.definition;
  if (hf.modelType === 'bert')
    return `BERT: ${layers} layers, hidden size ${dModel}, vocabulary ${hf.definition.vocabSize}, up to ${hf.definition.maxSeq} tokens${hf.definition.pooler ? ', pooler' : ''}`;
  const { imageSize, patchSize } = hf.definition;
  return `ViT: ${layers} layers, hidden size ${dModel}, images ${typeof imageSize === 'number' ? `${imageSize}×${imageSize}` : imageSize.join('×')} (height×width) in ${patchSize}×${patchSize} patches`;
}

function backendLine(program: Program): string {
  return program.backend === 'cpu'
    ? `backend: CPU reference interpreter${program.fallbackReason === undefined ? '' : ` (no WebGPU: ${program.fallbackReason})`}`
    : `backend: WebGPU, ${program.stats.kernels} kernels, ${program.stats.dispatchesPerRun} dispatches per forward`;
}

function l2Norm(data: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < data.length; index++) sum += data[index]! ** 2;
  return Math.sqrt(sum);
}
