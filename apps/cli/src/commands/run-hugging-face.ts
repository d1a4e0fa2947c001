import { InputError } from '@weft/ir';
import { checkModelMemory, compileModel, estimateSpecMemory, memoryLimitsOf } from '@weft/models';
import {
  HF_ENCODER_MODEL_TYPES,
  type HuggingFaceEncoderModelType,
  type HuggingFaceModel,
  loadHuggingFaceModel,
  readHuggingFaceConfig,
  readHuggingFaceConfigJson,
} from '@weft/models/hf';
import { type Progress, startProgress } from '@weft/zoo/cli';
import type { CliIo } from '../cli-io.js';
import { formatBytes } from '../format-bytes.js';
import { summarizeSpec } from '../spec-summary.js';
import { checkPrecisionFlags, deviceForPrecision } from './precision-option.js';
import type { RunOptions } from './run-command.js';
import {
  backendLine,
  compileWithProgress,
  deviceOption,
  parsePrompt,
  positiveInteger,
  samplingOf,
  streamOption,
  timingLine,
} from './run-helpers.js';
import { runHuggingFaceEncoderDirectory } from './run-hugging-face-encoder.js';

/**
 * `weft run <model-dir>`: loads a Hugging Face model directory (config, weights, tokenizer),
 * compiles it and generates (an encoder directory goes to `runHuggingFaceEncoderDirectory`) from the prompt, printing the text as tokens arrive. Without a
 * `tokenizer.json` the prompt is token ids and the output token ids.
 */
export async function runHuggingFaceDirectory(
  dir: string,
  options: RunOptions,
  given: RunOptions,
  io: CliIo,
): Promise<void> {
  const encoder = encoderModelType(await readHuggingFaceConfigJson(dir));
  if (encoder !== undefined) return runHuggingFaceEncoderDirectory(dir, encoder, options, given, io);
  for (const [flag, value] of [
    ['--image', options.image],
    ['--output', options.output],
  ] as const) {
    if (value !== undefined)
      throw new InputError(`${flag} does not go with a decoder directory: it takes --prompt and generates`, {
        expected: `an encoder directory (${HF_ENCODER_MODEL_TYPES.join(', ')}) for ${flag}`,
        actual: `${flag} ${value}`,
      });
  }
  if (options.weights !== undefined) {
    throw new InputError('--weights does not go with a model directory: its weights are read from it', {
      expected: 'a JSON spec with --weights, or a model directory alone',
      actual: options.weights,
    });
  }
  if (options.prompt === undefined)
    throw new InputError('--prompt is required with a model directory', { expected: '--prompt "some text"' });
  const maxTokens = positiveInteger(options.tokens ?? 16, '--tokens');
  const maxSeq = positiveInteger(options.maxSeq ?? 2048, '--max-seq');
  const stream = streamOption(io.progress);
  // Refuse a model the device cannot hold before reading its weights.
  const { spec } = await readHuggingFaceConfig(dir, { maxSeq });
  const precision = checkPrecisionFlags(options);
  const { device, fallbackReason } = await deviceForPrecision(deviceOption(options), precision);
  const gpuDevice = device === 'cpu' ? undefined : 'device' in device ? device.device : device;
  checkModelMemory(estimateSpecMemory(spec), memoryLimitsOf(gpuDevice));
  let loading: Progress | undefined;
  // The display starts with the first report (which gives the total); the loader reports the last
  // tensor itself, so stopping leaves the display complete.
  const hf = await loadHuggingFaceModel(dir, {
    maxSeq,
    onProgress: (done, total) => {
      loading ??= startProgress({ label: 'loading', total, unit: 'tensors', ...stream });
      loading.update(done);
    },
  }).finally(() => loading?.stop());
  describeModel(io, dir, hf);
  const tokenizer = hf.tokenizer;
  const prompt =
    tokenizer === undefined
      ? parsePrompt(options.prompt, hf.spec.config.vocabSize)
      : tokenizer.encode(String(options.prompt));
  const outside = prompt.find((id) => id >= hf.spec.config.vocabSize);
  if (outside !== undefined) {
    throw new InputError('the tokenizer gave a token id outside the model vocabulary', {
      tensor: 'prompt',
      expected: `ids below ${hf.spec.config.vocabSize}`,
      actual: outside,
    });
  }
  const model = await compileWithProgress(io.progress, (onProgress) =>
    compileModel(hf.spec, {
      device,
      weights: hf.weights,
      ...precision,
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
      onProgress,
    }),
  );
  try {
    io.out(backendLine(model));
    io.out(`prompt: ${prompt.length} tokens${tokenizer === undefined ? '' : ` (${prompt.join(' ')})`}`);
    const text = tokenizer?.createStream();
    let collected = '';
    const emit = (piece: string) => {
      if (piece === '') return;
      if (io.write === undefined) collected += piece;
      else io.write(piece);
    };
    emit(tokenizer === undefined ? '' : String(options.prompt));
    const result = await model.generate(prompt, {
      maxTokens,
      sampling: samplingOf(options),
      stop: hf.eosTokenIds,
      onToken: (token) => emit(text === undefined ? ` ${token}` : text.push(token)),
    });
    if (text !== undefined) emit(text.flush());
    if (io.write === undefined) io.out(collected);
    else io.write('\n');
    io.out(`generated ${result.tokens.length} tokens (${result.stopReason}); ${timingLine(result)}`);
  } finally {
    model.destroy();
  }
}

/**
 * The encoder family of a directory's `config.json`: its `model_type` when that is an encoder
 * Weft loads, else one named by `architectures` (`BertForMaskedLM`, `ViTModel`, …) so that a config
 * without `model_type` still reaches the encoder loader and its message; undefined for decoders.
 */
export function encoderModelType(config: unknown): HuggingFaceEncoderModelType | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const { model_type: modelType, architectures } = config as Record<string, unknown>;
  if (typeof modelType === 'string')
    return (HF_ENCODER_MODEL_TYPES as readonly string[]).includes(modelType)
      ? (modelType as HuggingFaceEncoderModelType)
      : undefined;
  if (!Array.isArray(architectures)) return undefined;
  for (const name of architectures) {
    if (typeof name !== 'string') continue;
    if (/^Bert(Model|For)/.test(name)) return 'bert';
    if (/^ViT(Model|For)/.test(name)) return 'vit';
  }
  return undefined;
}

function describeModel(io: CliIo, dir: string, hf: HuggingFaceModel): void {
  io.out(`model ${dir}: ${hf.modelType} (config.json)`);
  for (const line of summarizeSpec(hf.spec)) io.out(`  ${line}`);
  const values = Object.values(hf.weights).reduce((total, data) => total + data.length, 0);
  io.out(
    `weights: ${Object.keys(hf.weights).length} parameters, ${values.toLocaleString('en-US')} values (${formatBytes(values * 4)} as float32)` +
      (hf.tokenizer === undefined ? '; no tokenizer.json: the prompt is token ids' : '; tokenizer.json'),
  );
}
