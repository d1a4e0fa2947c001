/**
 * Upper bounds of the sizes the architecture kinds add to `MODEL_SPEC_LIMITS`: image sides,
 * channels, patch sides, classes, tokens per sample and features per token.
 */
export const ARCHITECTURE_LIMITS = Object.freeze({
  imageSide: 2 ** 15,
  channels: 2 ** 12,
  patchSize: 2 ** 10,
  classes: 2 ** 20,
  tokens: 2 ** 20,
  features: 2 ** 16,
  timestepFrequencies: 2 ** 14,
});
