import type { Program } from '@weft/runtime';
import type { CompiledModel } from '../model/compile-model.js';
import { normwiseError } from './normwise-error.js';

/**
 * Runs `tokens` through the cached decoder one step at a time (the first `promptLength` tokens as
 * one prefill step) and returns, per step, the normwise error `max|Δ| / max|ref|` of its logits
 * against the cache-free program's logits for the same prefix.
 */
export async function decodeVersusRecompute(
  model: CompiledModel,
  tokens: readonly number[],
  promptLength: number,
): Promise<number[]> {
  const vocab = model.spec.config.vocabSize;
  const errors: number[] = [];
  model.decoder.resetState();
  for (let length = promptLength; length <= tokens.length; length++) {
    const stepLogits =
      length === promptLength
        ? await model.step(tokens.slice(0, promptLength), 0)
        : await model.step([tokens[length - 1]!], length - 1);
    const full = await model.run(tokens.slice(0, length));
    errors.push(normwiseError(stepLogits, full.data.subarray((length - 1) * vocab, length * vocab)));
  }
  return errors;
}

/** The two programs of a decoder graph pair (see `buildDecoderGraph`) and its vocabulary size. */
export interface DecoderPrograms {
  /** The cached step program (`tokens`, `past` → last logits, caches as state). */
  readonly step: Program;
  /** The cache-free full-sequence program (`tokens` → logits of every position). */
  readonly forward: Program;
  /** Vocabulary size V. */
  readonly vocabSize: number;
}

/**
 * {@link decodeVersusRecompute} for programs compiled from graphs (models without a v1 spec):
 * prefill `promptLength` tokens, then decode one token per step, and return per step the normwise
 * error of the step logits against the forward program's logits for the same prefix. Outputs are
 * poisoned before every run, so a kernel that skips a write cannot pass.
 */
export async function decodeVersusRecomputePrograms(
  programs: DecoderPrograms,
  tokens: readonly number[],
  promptLength: number,
): Promise<number[]> {
  const { step, forward, vocabSize: vocab } = programs;
  const errors: number[] = [];
  step.resetState();
  for (let length = promptLength; length <= tokens.length; length++) {
    const fresh = length === promptLength ? tokens.slice(0, promptLength) : [tokens[length - 1]!];
    const past = length - fresh.length;
    const stepRun = await step.run(
      { tokens: Int32Array.from(fresh), past: Int32Array.of(past) },
      { dims: { seq: fresh.length }, outputs: ['logits'], poisonOutputs: true },
    );
    const stepLogits = stepRun.logits!.data;
    const full = await forward.run(
      { tokens: Int32Array.from(tokens.slice(0, length)) },
      { dims: { seq: length }, poisonOutputs: true },
    );
    errors.push(normwiseError(stepLogits, full.logits!.data.subarray((length - 1) * vocab, length * vocab)));
  }
  return errors;
}
