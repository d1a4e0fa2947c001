import { InputError } from '@weft/ir';
import {
  type ArchitectureSpec,
  type CompiledArchitecture,
  compileArchitecture,
  type EncoderDecoderSpec,
} from '@weft/models';
import { startProgress } from '@weft/zoo/cli';
import {
  architectureInputs,
  DECODER_START_TOKEN,
  formatMoments,
  formatValues,
} from '../architecture-inputs.js';
import type { CliIo } from '../cli-io.js';
import { loadWeightsFile } from '../load-weights-file.js';
import { summarizeSpec } from '../spec-summary.js';
import { checkPrecisionFlags, deviceForPrecision } from './precision-option.js';
import type { RunOptions } from './run-command.js';
import { describeWeights, deviceOption, parsePrompt, positiveInteger } from './run-helpers.js';

/**
 * `weft run` for an architecture spec: compiles its forward program (seeded random weights unless
 * `--weights`), feeds inputs that fit the kind and prints its outputs: the hidden states and the
 * pooled output of each sequence (encoder), the logits and top class (ViT), the denoiser output
 * (DiT), or greedily decoded target tokens (encoder–decoder, recomputing the prefix each step).
 */
export async function runArchitecture(
  specPath: string,
  spec: ArchitectureSpec,
  options: RunOptions,
  io: CliIo,
): Promise<void> {
  const precision = checkPrecisionFlags(options);
  const { device, fallbackReason } = await deviceForPrecision(deviceOption(options), precision);
  const tokens = promptTokens(spec, options.prompt);
  const weights = options.weights === undefined ? undefined : await loadWeightsFile(options.weights);
  io.out(`spec ${specPath}: valid`);
  for (const line of summarizeSpec(spec)) io.out(`  ${line}`);
  if (options.weights !== undefined && weights !== undefined) describeWeights(io, options.weights, weights);
  else io.out(`weights: seeded random (seed ${options.seed ?? 0}; pass --weights FILE for real ones)`);
  const inputs = architectureInputs(spec, {
    seed: options.seed ?? 0,
    ...(tokens === undefined ? {} : { tokens }),
  });
  const compiled = await compileArchitecture(spec, {
    device,
    seed: options.seed ?? 0,
    batch: inputs.batch,
    ...(weights === undefined ? {} : { weights }),
    ...precision,
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
  });
  const { program } = compiled;
  try {
    io.out(
      program.backend === 'cpu'
        ? `backend: CPU reference interpreter${program.fallbackReason === undefined ? '' : ` (no WebGPU: ${program.fallbackReason})`}`
        : `backend: WebGPU, ${program.stats.kernels} kernels, ${program.stats.dispatchesPerRun} dispatches per forward`,
    );
    io.out('inputs:');
    for (const line of inputs.lines) io.out(`  ${line}`);
    if (spec.kind === 'encoder-decoder') {
      await generate(compiled, spec, inputs.feeds.source as Int32Array, options, io);
      return;
    }
    const started = performance.now();
    const outputs = await program.run(inputs.feeds, { dims: inputs.dims });
    const elapsed = performance.now() - started;
    io.out('outputs:');
    for (const [name, { data, shape }] of Object.entries(outputs)) {
      io.out(`  ${name} [${shape.join(', ')}]: ${formatValues(data)} (${formatMoments(data)})`);
      if (name === 'pooled') {
        const width = shape[1]!;
        const lengths = inputs.feeds.lengths!;
        for (let row = 0; row < shape[0]!; row++)
          io.out(`    row ${row} (${lengths[row]} tokens): ${formatValues(data, 6, row * width)}`);
      }
      if (name === 'logits' && spec.kind === 'vit') {
        let best = 0;
        for (let index = 1; index < data.length; index++) if (data[index]! > data[best]!) best = index;
        io.out(`    all: ${formatValues(data, data.length)}`);
        io.out(`    top class: ${best} (logit ${data[best]!.toPrecision(4)})`);
      }
    }
    io.out(`forward ${elapsed.toFixed(1)} ms`);
  } finally {
    program.destroy();
  }
}

/** `--prompt` as token ids of the encoder or the encoder–decoder source, checked; none for other kinds. */
function promptTokens(spec: ArchitectureSpec, prompt: string | undefined): number[] | undefined {
  if (prompt === undefined) return undefined;
  if (spec.kind !== 'encoder' && spec.kind !== 'encoder-decoder')
    throw new InputError(`--prompt: a ${spec.kind} spec takes no tokens (weft run feeds it seeded inputs)`);
  const [vocab, max] =
    spec.kind === 'encoder'
      ? [spec.config.vocabSize, spec.config.maxSeq]
      : [spec.config.sourceVocabSize, spec.config.maxSourceSeq];
  const tokens = parsePrompt(prompt, vocab);
  if (tokens.length > max)
    throw new InputError(`--prompt has ${tokens.length} tokens; the spec takes at most ${max}`, {
      expected: `1..${max} tokens`,
      actual: tokens.length,
    });
  return tokens;
}

/** Greedy decoding by recomputing the forward pass over the growing target (teacher forcing on the prefix). */
async function generate(
  { program }: CompiledArchitecture,
  spec: EncoderDecoderSpec,
  source: Int32Array,
  options: RunOptions,
  io: CliIo,
): Promise<void> {
  const { targetVocabSize, maxTargetSeq } = spec.config;
  const steps = Math.min(positiveInteger(options.tokens ?? 16, '--tokens'), maxTargetSeq - 1);
  const target = [DECODER_START_TOKEN];
  const started = performance.now();
  let last: { data: ArrayLike<number>; shape: readonly number[] } | undefined;
  const generating = startProgress({
    label: 'generating',
    total: steps,
    unit: 'tokens',
    ...(io.progress === undefined ? {} : { stream: io.progress }),
  });
  try {
    for (let step = 0; step < steps; step++) {
      const { logits } = await program.run(
        { source, target: Int32Array.from(target) },
        { dims: { sourceSeq: source.length, seq: target.length } },
      );
      last = logits!;
      const offset = (target.length - 1) * targetVocabSize;
      let best = 0;
      for (let token = 1; token < targetVocabSize; token++)
        if (logits!.data[offset + token]! > logits!.data[offset + best]!) best = token;
      target.push(best);
      generating.update(step + 1);
    }
    generating.finish();
  } finally {
    generating.stop();
  }
  const elapsed = performance.now() - started;
  io.out('outputs:');
  io.out(
    `  logits [${last!.shape.join(', ')}] of the last step: ${formatValues(last!.data)} (${formatMoments(last!.data)})`,
  );
  io.out(`  generated (${steps}, greedy): ${target.slice(1).join(' ')}`);
  io.out(`${steps} forward passes in ${elapsed.toFixed(1)} ms (${(elapsed / steps).toFixed(1)} ms each)`);
}
