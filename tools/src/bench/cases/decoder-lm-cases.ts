import type { ModelSpecInput } from '@weft/models';
import type { BenchCase, SystemName } from '../bench-case.js';
import { type DecoderLmFixture, decoderLmFixture } from '../decoder-lm/decoder-lm-fixture.js';
import { tfjsDecoderLmSystem } from '../decoder-lm/tfjs-decoder-lm-system.js';
import { type DecoderLmPhase, weftDecoderLmSystem } from '../decoder-lm/weft-decoder-lm-system.js';

/** Options of {@link decoderLmCases}. */
export interface DecoderLmCaseOptions {
  /** The model (the demo's decoder LM in `pnpm bench`). */
  readonly spec: ModelSpecInput;
  /** Prompt length: the prefill's tokens and the decode step's past. */
  readonly promptLength: number;
  /** Seed of the weights and tokens. Default 42. */
  readonly seed?: number;
}

/**
 * The small LM's two generation steps, `lm-prefill-p{n}` (the prompt from an empty KV cache → last
 * logits) and `lm-decode-past{n}` (one token after n cached ones → its logits), in Weft fused, Weft
 * unfused and tfjs-backend-webgpu, all on the same seeded weights and checked against Weft's float64
 * `referenceLogits`. The two cases share one fixture, built on first use.
 */
export function decoderLmCases(options: DecoderLmCaseOptions): BenchCase[] {
  const { spec, promptLength } = options;
  let fixture: Promise<DecoderLmFixture> | undefined;
  const shared = () => {
    fixture ??= decoderLmFixture(spec, { promptLength, seed: options.seed ?? 42 });
    return fixture;
  };
  const { config } = spec;
  const model =
    `LM ${config.layers} layers d=${config.dModel} ${config.heads}/${config.kvHeads} heads, ` +
    `RoPE, RMSNorm, SwiGLU ${config.mlp.hidden}, vocab ${config.vocabSize}`;
  const phaseCase = (phase: DecoderLmPhase, name: string, description: string): BenchCase => ({
    name,
    group: 'decoder-lm',
    description: `${model}: ${description}`,
    async setup({ weft }) {
      const lm = await shared();
      return {
        get reference() {
          return phase === 'prefill' ? lm.prefillReference : lm.decodeReference;
        },
        // RoPE on f32 sin/cos through four layers: about 3e-4 normwise on SwiftShader.
        tolerance: 2e-3,
        systems: {
          'weft-fused': weftDecoderLmSystem(weft, lm, phase, true),
          'weft-unfused': weftDecoderLmSystem(weft, lm, phase, false),
          tfjs: tfjsDecoderLmSystem(lm, phase),
        },
        absent: ORT_ABSENT,
      };
    },
  });
  return [
    phaseCase('prefill', `lm-prefill-p${promptLength}`, `prefill of ${promptLength} tokens → last logits`),
    phaseCase('decode', `lm-decode-past${promptLength}`, `one decode step at past=${promptLength}`),
  ];
}

const ORT_REASON =
  'no ONNX graph of the LM: its cached step needs com.microsoft GroupQueryAttention (rotary, past/present KV, seqlens_k), not built here';

const ORT_ABSENT: Partial<Record<SystemName, string>> = { 'ort-jsep': ORT_REASON, 'ort-webgpu': ORT_REASON };
