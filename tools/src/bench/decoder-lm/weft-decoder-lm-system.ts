import { buildDecoderLmGraph, compileModel } from '@weft/models';
import type { WeftDevice } from '@weft/runtime';
import type { RunnableSystem, SystemFactory } from '../bench-case.js';
import { weftArenaBytes, withWeftGraph } from '../weft/weft-system.js';
import type { DecoderLmFixture } from './decoder-lm-fixture.js';

/** Which generation step a decoder LM case times. */
export type DecoderLmPhase = 'prefill' | 'decode';

/**
 * Weft's compiled decoder LM (`compileModel` on the benchmark device, fused or one kernel per op)
 * on the fixture's weights. A run is one call of the step program with the KV caches on the device:
 * `prefill` runs the prompt from an empty cache; `decode` runs the next token at past = prompt
 * length. Before each run (untimed) the caches are reset and, for `decode`, refilled with the
 * prompt, since every step advances them.
 */
export function weftDecoderLmSystem(
  weft: WeftDevice,
  fixture: DecoderLmFixture,
  phase: DecoderLmPhase,
  fuse: boolean,
): SystemFactory {
  const factory = async (): Promise<RunnableSystem> => {
    const model = await compileModel(fixture.spec, { device: weft, weights: fixture.parameters, fuse });
    const { prompt } = fixture;
    const { stats } = model.decoder;
    return {
      async prepare() {
        model.decoder.resetState();
        if (phase === 'decode') await model.step(prompt, 0);
      },
      run: () =>
        phase === 'prefill' ? model.step(prompt, 0) : model.step([fixture.nextToken], prompt.length),
      reportedGpuBytes: () => weftArenaBytes(model.decoder),
      dispose: () => model.destroy(),
      note: `${stats.kernels} kernel${stats.kernels === 1 ? '' : 's'}`,
    };
  };
  // Prefill and decode both run the step program (`compileModel`'s decoder).
  return withWeftGraph(factory, async () => ({
    graph: buildDecoderLmGraph(fixture.spec.config, { mode: 'step' }).graph,
    fuse,
  }));
}
