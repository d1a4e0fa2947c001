import { alibi, attention, rope, slidingWindow } from '@weft/attention';
import type { Graph } from '@weft/ir';
import { WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { buildDitGraph } from '../../architectures/dit.js';
import { buildEncoderGraph } from '../../architectures/encoder.js';
import { buildEncoderDecoderGraph } from '../../architectures/encoder-decoder.js';
import { buildVitGraph } from '../../architectures/vit.js';
import { rmsNormLayer } from '../../blocks/norm-layers.js';
import { buildArchitectureGraph } from '../../model/architecture-graph.js';
import { HYBRID_DECODER_SPEC } from '../../testing/hybrid-decoder.js';
import {
  TINY_DIT_SPEC,
  TINY_ENCODER_DECODER_SPEC,
  TINY_ENCODER_SPEC,
  TINY_VIT_SPEC,
} from '../../testing/tiny-architecture-specs.js';
import {
  TINY_DIT_CLASSES,
  TINY_ENCODER,
  TINY_ENCODER_DECODER,
  TINY_VIT,
} from '../../testing/tiny-architectures.js';
import { TINY_LLAMA } from '../../testing/tiny-specs.js';
import { parseModelSpec } from '../model-spec-json.js';
import { parseSpecDocument, parseSpecDocumentJSON, specDocumentToJSON } from '../spec-document.js';
import { parseArchitectureSpec } from './architecture-spec.js';

const hashes = (graph: Graph) =>
  Object.fromEntries(Object.entries(graph.outputs).map(([name, node]) => [name, node.hash]));

const graphOf = (document: unknown, batch = 1) =>
  buildArchitectureGraph(parseArchitectureSpec(document), { batch });

/** `document` with `config` patched (deeply at one level: `patch.encoder` replaces `config.encoder`). */
function withConfig(document: { config: object }, patch: Record<string, unknown>): unknown {
  return { ...document, config: { ...document.config, ...patch } };
}

function messageOf(document: unknown): string {
  try {
    parseSpecDocument(document);
  } catch (error) {
    expect(WeftError.isInstance(error) && error.code).toBe('spec');
    return (error as Error).message;
  }
  throw new Error('expected a SpecError, but the document parsed');
}

describe('architecture kinds of model spec v2', () => {
  it('each tiny spec in JSON builds the graph of its TS definition', () => {
    expect(hashes(graphOf(TINY_ENCODER_SPEC, 2))).toEqual(
      hashes(buildEncoderGraph(TINY_ENCODER, { batch: 2 })),
    );
    expect(hashes(graphOf(TINY_VIT_SPEC))).toEqual(hashes(buildVitGraph(TINY_VIT)));
    expect(hashes(graphOf(TINY_DIT_SPEC))).toEqual(hashes(buildDitGraph(TINY_DIT_CLASSES)));
    expect(hashes(graphOf(TINY_ENCODER_DECODER_SPEC))).toEqual(
      hashes(buildEncoderDecoderGraph(TINY_ENCODER_DECODER, { mode: 'forward' }).graph),
    );
  });

  it('per-layer overrides build the per-layer attention of the TS definition', () => {
    // ModernBERT-style: RoPE everywhere, a sliding window on all layers but every third.
    const local = {
      heads: 4,
      headDim: 8,
      positions: { kind: 'rope' },
      mask: { kind: 'slidingWindow', window: 4 },
    };
    const json = withConfig(TINY_ENCODER_SPEC, {
      layers: 3,
      attention: local,
      overrides: [{ layers: { every: 3 }, attention: { mask: null, outputBias: true } }],
    });
    const ts = {
      ...TINY_ENCODER,
      layers: 3,
      norm: { kind: 'layernorm' as const, eps: 1e-12 },
      attention: (layer: number) =>
        layer % 3 === 0
          ? { heads: 4, headDim: 8, positions: rope(), outputBias: true }
          : attention({ heads: 4, headDim: 8, positions: rope(), mask: slidingWindow(4) }),
    };
    const fromJson = graphOf(json);
    expect(hashes(fromJson)).toEqual(hashes(buildEncoderGraph(ts)));
    expect(hashes(fromJson)).not.toEqual(
      hashes(graphOf(withConfig(TINY_ENCODER_SPEC, { layers: 3, attention: local }))),
    );
  });

  it('encoder–decoder stacks take their own sections, the decoder defaulting to the encoder', () => {
    const json = withConfig(TINY_ENCODER_DECODER_SPEC, {
      decoder: {
        layers: 1,
        norm: { layer: { kind: 'rmsnorm', eps: 1e-6 } },
        overrides: [{ layers: [0], attention: { positions: { kind: 'alibi' } } }],
      },
    });
    const definition = {
      ...TINY_ENCODER_DECODER,
      decoderLayers: 1,
      decoderBlock: {
        ...TINY_ENCODER_DECODER.encoderBlock,
        norm: { layer: rmsNormLayer({ eps: 1e-6 }), placement: 'pre' as const },
        attention: attention({ heads: 4, headDim: 8, positions: alibi() }),
      },
    };
    expect(hashes(graphOf(json))).toEqual(
      hashes(buildEncoderDecoderGraph(definition, { mode: 'forward' }).graph),
    );
  });

  it('DiT conditioning in JSON: adaLN blocks without class labels', () => {
    const json = withConfig(TINY_DIT_SPEC, { conditioning: { norm: 'adaLn' } });
    const { classes: _classes, ...unconditioned } = TINY_DIT_CLASSES;
    const ts = { ...unconditioned, timestepFrequencies: 256, conditioningNorm: 'adaLn' as const };
    expect(hashes(graphOf(json))).toEqual(hashes(buildDitGraph(ts)));
  });

  it.each([
    ['an unknown key', withConfig(TINY_ENCODER_SPEC, { pooling: true }), 'config.pooling: unknown key'],
    [
      'an unknown kind, with a suggestion',
      { ...TINY_VIT_SPEC, kind: 'vti' },
      'kind: expected a model kind: decoder-lm, encoder, vit, dit, encoder-decoder; got "vti" (did you mean "vit"?)',
    ],
    [
      'causal in an architecture attention',
      withConfig(TINY_VIT_SPEC, { attention: { heads: 4, headDim: 8, causal: true } }),
      'config.attention.causal: unknown key',
    ],
    [
      'a patch size that does not divide the image',
      withConfig(TINY_VIT_SPEC, { patchSize: 5 }),
      'config.patchSize: expected a patch size dividing the image height and width (8 × 12), got 5',
    ],
    [
      '2-D RoPE with a class token',
      withConfig(TINY_VIT_SPEC, { positions: 'rope2d' }),
      'config.pool: expected "mean" with positions "rope2d"',
    ],
    [
      '2-D RoPE beside attention positions',
      withConfig(TINY_VIT_SPEC, {
        positions: 'rope2d',
        pool: 'mean',
        attention: { heads: 4, headDim: 8, positions: { kind: 'rope' } },
      }),
      'config.attention.positions: expected no attention positions',
    ],
    [
      'an odd number of timestep frequencies',
      withConfig(TINY_DIT_SPEC, { conditioning: { timestep: { frequencies: 15 } } }),
      'config.conditioning.timestep.frequencies: expected an even positive integer',
    ],
    [
      'an unknown conditioning norm',
      withConfig(TINY_DIT_SPEC, { conditioning: { norm: 'film' } }),
      'config.conditioning.norm: expected ("adaLnZero" | "adaLn"), got "film"',
    ],
    [
      'too few learned positions',
      withConfig(TINY_ENCODER_DECODER_SPEC, { positions: { kind: 'learned', max: 8 } }),
      'config.positions.max: expected at least max(maxSourceSeq, maxTargetSeq) (16) learned positions, got 8',
    ],
    [
      'an override selecting a layer outside the stack',
      withConfig(TINY_ENCODER_SPEC, { overrides: [{ layers: [5], attention: { mask: null } }] }),
      'config.overrides[0].layers[0]: expected a layer index below layers (2), got 5',
    ],
    [
      'a builder refusing an overridden attention, with the layer',
      withConfig(TINY_DIT_SPEC, { overrides: [{ layers: 'odd', attention: { kvHeads: 3 } }] }),
      'layer 1: config.overrides[0].attention',
    ],
    [
      'a decoder stack without layers',
      withConfig(TINY_ENCODER_DECODER_SPEC, { decoder: {} }),
      'config.decoder.layers: missing required key',
    ],
  ])('refuses %s with its JSON path', (_label, document, expected) => {
    expect(messageOf(document)).toContain(expected);
  });

  it('parseModelSpec points architecture kinds to parseSpecDocument; decoder files still load', () => {
    expect(() => parseModelSpec(TINY_VIT_SPEC as never)).toThrow(
      'kind "vit" is not a decoder LM: read it with parseSpecDocument',
    );
    expect(parseSpecDocument(TINY_LLAMA)).toEqual(parseModelSpec(TINY_LLAMA));
    expect(parseSpecDocument(HYBRID_DECODER_SPEC)).toEqual(parseModelSpec(HYBRID_DECODER_SPEC));
  });

  it.each([TINY_ENCODER_SPEC, TINY_VIT_SPEC, TINY_DIT_SPEC, TINY_ENCODER_DECODER_SPEC])(
    'specDocumentToJSON writes $kind as text that parses to the same spec',
    (document) => {
      const spec = parseSpecDocument(document);
      const text = specDocumentToJSON(spec);
      expect(parseSpecDocumentJSON(text)).toEqual(spec);
      expect(specDocumentToJSON(parseSpecDocumentJSON(text))).toBe(text);
    },
  );
});
