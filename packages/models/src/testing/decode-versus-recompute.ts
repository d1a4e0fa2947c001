import type { CompiledModel } from '../model/compile-model.js';

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
    const last = full.data.subarray((length - 1) * vocab, length * vocab);
    let difference = 0;
    let scale = 0;
    for (let index = 0; index < vocab; index++) {
      difference = Math.max(difference, Math.abs(stepLogits[index]! - last[index]!));
      scale = Math.max(scale, Math.abs(last[index]!));
    }
    errors.push(difference / scale);
  }
  return errors;
}
