import type { SystemFactory } from '../bench-case.js';
import { tfjsSystem } from '../peers/tfjs.js';
import type { DecoderLmFixture } from './decoder-lm-fixture.js';
import { tfjsDecoderLm } from './tfjs-decoder-lm.js';
import type { DecoderLmPhase } from './weft-decoder-lm-system.js';

/**
 * The fixture's LM on tfjs-backend-webgpu ({@link tfjsDecoderLm}). `prefill` runs the prompt with no
 * cache; `decode` runs the next token against the prompt's cache, computed once at setup and kept
 * on the GPU (each run builds the extended cache, as a generation step does, and drops it).
 */
export function tfjsDecoderLmSystem(fixture: DecoderLmFixture, phase: DecoderLmPhase): SystemFactory {
  return tfjsSystem((tf) => {
    const lm = tfjsDecoderLm(tf, fixture.spec.config, fixture.parameters);
    const prompt = Int32Array.from(fixture.prompt);
    if (phase === 'prefill') return { compute: () => lm.forward(prompt).logits, constants: lm.constants };
    const cache = tf.tidy(() => lm.forward(prompt).cache.flatMap(({ key, value }) => [key, value]));
    const layerCaches = Array.from({ length: cache.length / 2 }, (_, layer) => ({
      key: cache[2 * layer]!,
      value: cache[2 * layer + 1]!,
    }));
    const next = Int32Array.of(fixture.nextToken);
    return {
      compute: () => lm.forward(next, layerCaches).logits,
      constants: [...lm.constants, ...cache],
    };
  });
}
