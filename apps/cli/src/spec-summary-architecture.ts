import { formatTable } from '@weft/ir';
import {
  type ArchitectureAttentionJSON,
  type ArchitectureSpec,
  type AttentionOverrideJSON,
  type BlockMlpJSON,
  type BlockNormJSON,
  buildArchitectureGraph,
  graphParameters,
  type NormLayerJSON,
  stackAttentionSections,
} from '@weft/models';
import { formatBytes } from './format-bytes.js';
import { describeAttention, describePart } from './spec-summary-v2.js';

type Rows = [string, string][];

/**
 * Describes a spec of an architecture kind in aligned lines: its sizes, each distinct attention
 * with the layers that use it, the MLP, norms, what conditions it, and the exact parameter count
 * (from the forward graph's parameters).
 */
export function summarizeArchitecture(spec: ArchitectureSpec): string[] {
  const rows: Rows = [['model', `${spec.kind} (schema v${spec.schemaVersion})`], ...kindRows(spec)];
  const parameters = graphParameters(buildArchitectureGraph(spec)).reduce(
    (sum, parameter) => sum + parameter.shape.reduce((product, dim) => product * dim, 1),
    0,
  );
  rows.push(['parameters', `${parameters.toLocaleString('en-US')} (${formatBytes(parameters * 4)} as f32)`]);
  return formatTable(rows).split('\n');
}

function kindRows(spec: ArchitectureSpec): Rows {
  switch (spec.kind) {
    case 'encoder': {
      const { config } = spec;
      return [
        [
          'vocabulary',
          `${config.vocabSize} tokens${config.typeVocabSize === undefined ? '' : `, ${config.typeVocabSize} token types`}`,
        ],
        ['width', `d=${config.dModel}`],
        ['layers', String(config.layers)],
        ...stackRows('', config.attention, config.overrides, config.layers, 'bidirectional + padding mask'),
        ['mlp', describeMlp(config.mlp)],
        ['norm', `${describeNorm(config.norm, 'layernorm(eps 1e-12)')}, post-norm`],
        ['positions', `learned (max ${config.maxSeq})`],
        ['pooler', config.pooler === false ? 'none' : 'tanh(W h_CLS + b)'],
      ];
    }
    case 'vit': {
      const { config } = spec;
      const [height, width] =
        typeof config.imageSize === 'number' ? [config.imageSize, config.imageSize] : config.imageSize;
      const [rows, columns] = [height / config.patchSize, width / config.patchSize];
      const pool = config.pool ?? 'cls';
      return [
        ['image', `${config.channels} × ${height} × ${width}`],
        [
          'patches',
          `${config.patchSize} × ${config.patchSize} (a ${rows} × ${columns} grid, ${rows * columns} tokens${pool === 'cls' ? ' + class token' : ''})`,
        ],
        ['width', `d=${config.dModel}`],
        ['layers', String(config.layers)],
        ...stackRows('', config.attention, config.overrides, config.layers, 'bidirectional'),
        ['mlp', describeMlp(config.mlp)],
        ['norm', `${describeNorm(config.norm, 'layernorm(eps 0.000001)')}, pre-norm`],
        [
          'positions',
          (config.positions ?? 'learned') === 'learned' ? 'learned' : '2-D RoPE on the patch grid',
        ],
        [
          'head',
          `${config.classes} classes from the ${pool === 'cls' ? 'class token' : 'mean of the patch tokens'}`,
        ],
      ];
    }
    case 'dit': {
      const { config } = spec;
      const { timestep, classLabels, norm } = config.conditioning ?? {};
      const conditions = [
        `timestep (${timestep?.frequencies ?? 256} sinusoids, max period ${timestep?.maxPeriod ?? 10_000}) → MLP`,
        ...(classLabels === undefined ? [] : [`class labels (${classLabels.classes})`]),
      ];
      return [
        ['tokens', `${config.tokens} × ${config.inFeatures} features → ${config.outFeatures}`],
        ['width', `d=${config.dModel}`],
        ['layers', String(config.layers)],
        ...stackRows('', config.attention, config.overrides, config.layers, 'bidirectional'),
        ['mlp', describeMlp(config.mlp)],
        ['conditioning', conditions.join(' + ')],
        ['blocks', norm === 'adaLn' ? 'adaLN (shift, scale)' : 'adaLN-Zero (shift, scale, gate)'],
        ['final layer', 'adaptive LayerNorm, linear head'],
      ];
    }
    case 'encoder-decoder': {
      const { config } = spec;
      const { encoder, decoder } = config;
      return [
        ['vocabulary', `source ${config.sourceVocabSize}, target ${config.targetVocabSize} tokens`],
        ['width', `d=${config.dModel}`],
        ['encoder', `${encoder.layers} layers, bidirectional`],
        ...stackRows('encoder ', encoder.attention, encoder.overrides, encoder.layers, ''),
        ['encoder mlp', describeMlp(encoder.mlp)],
        ['encoder norm', describeBlockNorm(encoder.norm)],
        ['decoder', `${decoder.layers} layers, causal, cross-attention to the encoder output`],
        ...stackRows(
          'decoder ',
          decoder.attention ?? encoder.attention,
          decoder.overrides,
          decoder.layers,
          '',
        ),
        ['decoder mlp', describeMlp(decoder.mlp ?? encoder.mlp)],
        ['decoder norm', describeBlockNorm(decoder.norm ?? encoder.norm)],
        ['final norm', config.finalNorm === undefined ? 'none' : describePart(config.finalNorm)],
        ['positions', config.positions === undefined ? 'in attention' : describePart(config.positions)],
        ['max sequence', `source ${config.maxSourceSeq}, target ${config.maxTargetSeq}`],
        ['embeddings', config.tieEmbeddings === true ? 'tied to the LM head' : 'separate LM head'],
      ];
    }
  }
}

/** One row per distinct attention of a stack, with the layers that use it when it is not all of them. */
function stackRows(
  prefix: string,
  base: ArchitectureAttentionJSON,
  overrides: readonly AttentionOverrideJSON[] | undefined,
  layers: number,
  note: string,
): Rows {
  const byText = new Map<string, number[]>();
  stackAttentionSections(base, overrides, layers, 'config').forEach(({ json }, layer) => {
    const biases = [json.bias === true ? 'QKV bias' : '', json.outputBias === true ? 'output bias' : '']
      .filter(Boolean)
      .join(', ');
    const text = [describeAttention(json), biases, note].filter(Boolean).join(', ');
    byText.set(text, [...(byText.get(text) ?? []), layer]);
  });
  return [...byText].map(([text, used]) => [
    `${prefix}attention${used.length === layers ? '' : ` (layers ${used.join(', ')})`}`,
    text,
  ]);
}

function describeMlp(mlp: BlockMlpJSON): string {
  return `${mlp.kind}, hidden ${mlp.hidden}${mlp.bias === true ? ', biases' : ''}`;
}

function describeNorm(norm: NormLayerJSON | undefined, fallback: string): string {
  return norm === undefined ? fallback : describePart(norm);
}

function describeBlockNorm(norm: BlockNormJSON): string {
  return 'kind' in norm
    ? 'hypersphere (nGPT)'
    : `${describePart(norm.layer)}, ${norm.placement ?? 'pre'}-norm`;
}
