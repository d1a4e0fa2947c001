import {
  type CompiledModel,
  compileModel,
  heavyHitter,
  type InferenceCacheOptions,
  landmark,
  type ModelSpecInput,
  rollingWindow,
} from '@weft/models';
import type { WeftDevice } from '@weft/runtime';
import type { InterleavedRun } from '@weft/zoo/runner';

/** Options of {@link longDecodeContenders}. */
export interface LongDecodeOptions {
  /** Cached tokens of the long run. Default 4096. */
  readonly longPast: number;
  /** The rolling window, and the past of the short run. Default 512. */
  readonly window: number;
}

/** One decode step of one model at one past, ready to time. */
export interface LongDecodeContender extends InterleavedRun {
  /** Short label, e.g. `rolling W=512 @ past 4096`. */
  readonly label: string;
  /** KV slots per layer the step reads. */
  readonly slots: number;
  /** Compute dispatches of one step. */
  readonly dispatches: number;
  /** The step's kernels, in dispatch order. */
  readonly kernels: readonly string[];
  /** Frees the model. */
  destroy(): void;
}

/**
 * The model of the benchmark: tiny (1 layer, d = 64, 2 heads of 32, RoPE, RMSNorm, SwiGLU), so
 * that attention over the cache is a large share of a step even on SwiftShader. Its `maxSeq` is set
 * per contender.
 */
export function longDecodeSpec(maxSeq: number): ModelSpecInput {
  return {
    schemaVersion: 1,
    kind: 'decoder-lm',
    config: {
      vocabSize: 64,
      dModel: 64,
      layers: 1,
      heads: 2,
      kvHeads: 2,
      headDim: 32,
      mlp: { kind: 'swiglu', hidden: 128 },
      norm: { kind: 'rmsnorm', eps: 1e-6 },
      positions: { kind: 'rope' },
      maxSeq,
    },
  };
}

/**
 * The contenders, in this order: (0) a rolling-window inference cache of `window` positions at
 * past = `longPast` (the case the issue targets); (1) an inference cache that keeps every key
 * (`'error'`, `window + 1` slots) at past = `window` (the baseline of the ratio); (2) and (3) the
 * right-aligned cache (a shift per step, keys re-rotated in the kernel) at the two pasts, with
 * `maxSeq` = past + 1: what the long run cost before; (4) and (5) a heavy-hitter cache of `window`
 * slots per KV head (`heavyHitter(window/2, window/2)`, one-token steps) at past = 4·`window` and at
 * past = `window`: score-driven eviction, whose step reads a fixed number of slots; (6) and (7) a
 * landmark cache (`landmark(63, 4)`: blocks of 64 slots with their landmark, 4 retrieved per head)
 * at past = `longPast` and at past = `window` (`maxSeq` = past + 1): every block kept, a step reads
 * the landmarks and 5 blocks.
 *
 * Each run is one decode step (one token in, its logits read back). The cache contents are what
 * earlier runs left (zeros at first): a step's cost does not depend on them.
 */
export async function longDecodeContenders(
  weft: WeftDevice,
  options: LongDecodeOptions,
): Promise<LongDecodeContender[]> {
  const { longPast, window } = options;
  const contender = async (
    label: string,
    maxSeq: number,
    past: number,
    cache: InferenceCacheOptions | undefined,
  ): Promise<LongDecodeContender> => {
    const model: CompiledModel = await compileModel(longDecodeSpec(maxSeq), {
      device: weft,
      seed: 1,
      ...(cache === undefined ? {} : { cache }),
    });
    return {
      label,
      slots: model.cache?.capacity ?? maxSeq,
      dispatches: model.decoder.stats.dispatchesPerRun,
      kernels: model.decoder.stats.perKernel.map((row) => row.label),
      async run() {
        const { logits } = await model.decoder.run(
          { tokens: Int32Array.of(7), past: Int32Array.of(past) },
          { dims: { seq: 1 }, outputs: ['logits'] },
        );
        return logits;
      },
      destroy: () => model.destroy(),
    };
  };
  return [
    await contender(`rolling W=${window} @ past ${longPast}`, window + 1, longPast, {
      policy: rollingWindow(window),
    }),
    await contender(`keep-all @ past ${window}`, window + 1, window, { policy: 'error' }),
    await contender(`right-aligned @ past ${longPast}`, longPast + 1, longPast, undefined),
    await contender(`right-aligned @ past ${window}`, window + 1, window, undefined),
    ...(await Promise.all(
      [4 * window, window].map((past) =>
        contender(`heavyHitter ${window} slots @ past ${past}`, window + 1, past, {
          policy: heavyHitter(window / 2, window / 2),
          prefillChunk: 1,
        }),
      ),
    )),
    ...(await Promise.all(
      [longPast, window].map((past) =>
        contender(`landmark ℓ=63 top 4 @ past ${past}`, past + 1, past, { policy: landmark(63, 4) }),
      ),
    )),
  ];
}
