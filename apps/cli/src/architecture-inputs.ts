import { type ArchitectureSpec, createSeededRandom } from '@weft/models';

/** Inputs of one forward run of an architecture spec, with the lines that describe them. */
export interface ArchitectureInputs {
  /** Samples per run. */
  readonly batch: number;
  /** Input tensors by graph input name. */
  readonly feeds: Record<string, Int32Array | Float32Array>;
  /** Values of the symbolic dims (`seq`, `sourceSeq`). */
  readonly dims: Record<string, number>;
  /** What the inputs are, one line each. */
  readonly lines: readonly string[];
}

/** Options of {@link architectureInputs}. */
export interface ArchitectureInputOptions {
  /** Token ids (encoder tokens, encoder–decoder source); seeded ids when absent. */
  readonly tokens?: readonly number[];
  /** Seed of the generated inputs. */
  readonly seed: number;
}

/** The diffusion timestep and class label `weft run` feeds a DiT. */
export const DIT_TIMESTEP = 500;
/** The class label fed to a DiT conditioned on class labels (0 when there is a single class). */
export const DIT_CLASS_LABEL = 1;
/** The decoder start token of an encoder–decoder run. */
export const DECODER_START_TOKEN = 0;

/**
 * Inputs that fit an architecture spec: an encoder gets two sequences (the tokens, and their
 * first half followed by padding, with `lengths` masking the padding), a ViT a seeded image, a
 * DiT a seeded latent with a timestep (and a class label), an encoder–decoder the source tokens
 * and the decoder start token.
 */
export function architectureInputs(
  spec: ArchitectureSpec,
  options: ArchitectureInputOptions,
): ArchitectureInputs {
  const random = createSeededRandom(`inputs:${options.seed}`);
  const seededTokens = (vocab: number, max: number) =>
    options.tokens ??
    Array.from({ length: Math.min(8, max) }, () => 1 + (random.nextUint32() % (vocab - 1 || 1)));
  switch (spec.kind) {
    case 'encoder': {
      const { vocabSize, maxSeq, typeVocabSize } = spec.config;
      const tokens = seededTokens(vocabSize, maxSeq);
      const seq = tokens.length;
      const half = Math.ceil(seq / 2);
      const padded = tokens.map((token, index) => (index < half ? token : 0));
      const feeds: Record<string, Int32Array | Float32Array> = {
        tokens: Int32Array.from([...tokens, ...padded]),
        lengths: Int32Array.of(seq, half),
      };
      if (typeVocabSize !== undefined) feeds.tokenTypes = new Int32Array(2 * seq);
      return {
        batch: 2,
        feeds,
        dims: { seq },
        lines: [
          `tokens [2, ${seq}]: row 0 ${tokens.join(' ')}; row 1 its first ${half}, then padding`,
          `lengths [2]: ${seq} ${half} (keys at or past the length are masked)`,
          ...(typeVocabSize === undefined ? [] : [`tokenTypes [2, ${seq}]: all 0`]),
        ],
      };
    }
    case 'vit': {
      const { channels, imageSize } = spec.config;
      const [height, width] = typeof imageSize === 'number' ? [imageSize, imageSize] : imageSize;
      const pixels = Float32Array.from(
        { length: channels * height * width },
        () => 2 * random.nextUniform() - 1,
      );
      return {
        batch: 1,
        feeds: { pixels },
        dims: {},
        lines: [`pixels [1, ${channels}, ${height}, ${width}]: seeded uniform in (-1, 1)`],
      };
    }
    case 'dit': {
      const { tokens, inFeatures, conditioning } = spec.config;
      const x = Float32Array.from({ length: tokens * inFeatures }, () => random.nextNormal());
      const feeds: Record<string, Int32Array | Float32Array> = { x, timestep: Float32Array.of(DIT_TIMESTEP) };
      const classes = conditioning?.classLabels?.classes;
      const label = classes === undefined ? undefined : Math.min(DIT_CLASS_LABEL, classes - 1);
      if (label !== undefined) feeds.classLabels = Int32Array.of(label);
      return {
        batch: 1,
        feeds,
        dims: {},
        lines: [
          `x [1, ${tokens}, ${inFeatures}]: a seeded standard normal latent`,
          `timestep [1]: ${DIT_TIMESTEP}`,
          ...(label === undefined ? [] : [`classLabels [1]: ${label}`]),
        ],
      };
    }
    case 'encoder-decoder': {
      const { sourceVocabSize, maxSourceSeq } = spec.config;
      const source = seededTokens(sourceVocabSize, maxSourceSeq);
      return {
        batch: 1,
        feeds: { source: Int32Array.from(source), target: Int32Array.of(DECODER_START_TOKEN) },
        dims: { sourceSeq: source.length, seq: 1 },
        lines: [
          `source [1, ${source.length}]: ${source.join(' ')}`,
          `target [1, 1]: ${DECODER_START_TOKEN} (the decoder start token)`,
        ],
      };
    }
  }
}

/** `count` values of `data` from `start`, 4 significant digits each, `…` when more follow. */
export function formatValues(data: ArrayLike<number>, count = 6, start = 0): string {
  const end = Math.min(data.length, start + count);
  const shown = Array.from({ length: end - start }, (_, index) => formatValue(data[start + index]!));
  return `${shown.join(' ')}${end < data.length ? ' …' : ''}`;
}

/** Mean and standard deviation of `data`, as `mean 0.0123, std 0.987`. */
export function formatMoments(data: ArrayLike<number>): string {
  let sum = 0;
  for (let index = 0; index < data.length; index++) sum += data[index]!;
  const mean = sum / data.length;
  let squares = 0;
  for (let index = 0; index < data.length; index++) squares += (data[index]! - mean) ** 2;
  return `mean ${formatValue(mean)}, std ${formatValue(Math.sqrt(squares / data.length))}`;
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(4) : String(value);
}
