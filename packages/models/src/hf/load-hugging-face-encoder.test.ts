import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attention } from '@weft/attention/kernels';
import { interpret, tensor64 } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bertModelForwardFloat64,
  TINY_WORD_PIECE_VOCAB_SIZE,
  type TinyBertHfConfig,
  type TinyHuggingFaceEncoderOptions,
  type TinyVitHfConfig,
  tinyHuggingFaceBert,
  tinyHuggingFaceVit,
  tinyWordPieceTokenizerJson,
  vitModelForwardFloat64,
} from '../testing/index.js';
import { writeSafetensors } from '../weights/safetensors.js';
import { buildHuggingFaceEncoderGraph } from './hf-encoder-architecture.js';
import { loadHuggingFaceEncoder } from './load-hugging-face-encoder.js';
import { loadHuggingFaceModel } from './load-hugging-face-model.js';

const dirs: string[] = [];
const measured: string[] = [];
afterAll(async () => {
  console.info(`Hugging Face encoders, relative error vs the float64 HF forward:\n${measured.join('\n')}`);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function writeDirectory(files: Readonly<Record<string, string | Uint8Array>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-hf-encoder-'));
  dirs.push(dir);
  for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, name), contents);
  return dir;
}

// Two right-padded sequences: the second has 5 tokens and 4 of padding.
const IDS = [
  [2, 17, 5, 29, 1, 38, 12, 7, 22],
  [2, 31, 9, 14, 3, 0, 0, 0, 0],
];
const TYPES = [
  [0, 0, 0, 0, 0, 1, 1, 1, 1],
  [0, 0, 0, 1, 1, 0, 0, 0, 0],
];
const LENGTHS = [9, 5];
const MASK = LENGTHS.map((length) => IDS[0]!.map((_, i) => (i < length ? 1 : 0)));
const SEQ = IDS[0]!.length;

/** The f32 CPU program's error against float64: a few ulps of float32 through two layers. */
const CPU_F32_BUDGET = 1e-5;

function bertFeeds() {
  return {
    tokens: tensor64([2, SEQ], IDS.flat(), 'i32'),
    tokenTypes: tensor64([2, SEQ], TYPES.flat(), 'i32'),
    lengths: tensor64([2], LENGTHS, 'i32'),
  };
}

describe.each<[string, TinyHuggingFaceEncoderOptions<TinyBertHfConfig>]>([
  ['BertModel, one F32 file', {}],
  [
    'BertForMaskedLM (bert. prefix, MLM head, position_ids), BF16 in 3 shards',
    { taskModel: true, dtype: 'BF16', shards: 3 },
  ],
  [
    'no pooler, F16, layer_norm_eps 1e-5',
    { pooler: false, dtype: 'F16', seed: 5, config: { layer_norm_eps: 1e-5 } },
  ],
])('loadHuggingFaceEncoder: a tiny BERT checkpoint, %s', (label, options) => {
  it("gives BertModel's last_hidden_state and pooler_output (dense float64 HF forward)", async () => {
    const checkpoint = tinyHuggingFaceBert(options);
    const hf = await loadHuggingFaceEncoder(await writeDirectory(checkpoint.files));
    if (hf.modelType !== 'bert') throw new Error('expected bert');
    const pooler = options.pooler ?? true;
    expect(hf.definition).toMatchObject({
      vocabSize: 40,
      dModel: 32,
      layers: 2,
      maxSeq: 16,
      typeVocabSize: 2,
      pooler,
    });
    expect(hf.ignoredTensors).toEqual(
      options.taskModel
        ? [
            'bert.embeddings.position_ids',
            'cls.predictions.bias',
            'cls.predictions.transform.LayerNorm.bias',
            'cls.predictions.transform.LayerNorm.weight',
            'cls.predictions.transform.dense.bias',
            'cls.predictions.transform.dense.weight',
          ]
        : [],
    );
    const exact = bertModelForwardFloat64(
      checkpoint.config,
      checkpoint.tensors,
      { inputIds: IDS, tokenTypeIds: TYPES, attentionMask: MASK },
      checkpoint.prefix,
    );
    const graph = buildHuggingFaceEncoderGraph(hf, { batch: 2 });
    const inputs = bertFeeds();
    const reference = interpret(graph, { inputs, params: hf.weights, dims: { seq: SEQ } });
    // Both float64 over the same stored weights: they differ by float64 rounding only.
    measured.push(
      `BERT ${label}: float64 interpreter ${relativeError(reference.hidden!.data, exact.lastHiddenState).toExponential(2)}`,
    );
    expect(relativeError(reference.hidden!.data, exact.lastHiddenState)).toBeLessThan(1e-10);
    expect(Object.keys(graph.outputs).sort()).toEqual(pooler ? ['hidden', 'pooled'] : ['hidden']);
    if (pooler) expect(relativeError(reference.pooled!.data, exact.poolerOutput!)).toBeLessThan(1e-10);
    const program = await compile(graph, { device: 'cpu', params: hf.weights, extensions: [attention] });
    try {
      const result = await program.run(
        {
          tokens: Int32Array.from(IDS.flat()),
          tokenTypes: Int32Array.from(TYPES.flat()),
          lengths: Int32Array.from(LENGTHS),
        },
        { dims: { seq: SEQ } },
      );
      expect(relativeError(result.hidden!.data, exact.lastHiddenState)).toBeLessThan(CPU_F32_BUDGET);
    } finally {
      program.destroy();
    }
  });
});

describe.each<[string, TinyHuggingFaceEncoderOptions<TinyVitHfConfig>]>([
  ['ViTModel, one F32 file', {}],
  [
    'ViTForImageClassification (vit. prefix, classifier, no pooler), BF16 in 2 shards',
    { taskModel: true, dtype: 'BF16', shards: 2 },
  ],
  [
    'qkv_bias false, square 8×8 images, F16',
    { dtype: 'F16', seed: 4, config: { qkv_bias: false, image_size: 8 } },
  ],
])('loadHuggingFaceEncoder: a tiny ViT checkpoint, %s', (label, options) => {
  it("gives ViTModel's last_hidden_state and pooler_output (dense float64 HF forward)", async () => {
    const checkpoint = tinyHuggingFaceVit(options);
    const hf = await loadHuggingFaceEncoder(await writeDirectory(checkpoint.files));
    if (hf.modelType !== 'vit') throw new Error('expected vit');
    const [height, width] = hf.definition.imageSize as [number, number];
    expect(hf.ignoredTensors).toEqual(options.taskModel ? ['classifier.bias', 'classifier.weight'] : []);
    const pixels = randomTensor([2, 3, height, width], { seed: 31, min: -1, max: 1 });
    const exact = vitModelForwardFloat64(
      checkpoint.config,
      checkpoint.tensors,
      pixels.data,
      2,
      checkpoint.prefix,
    );
    const graph = buildHuggingFaceEncoderGraph(hf, { batch: 2 });
    const reference = interpret(graph, { inputs: { pixels }, params: hf.weights });
    measured.push(
      `ViT ${label}: float64 interpreter ${relativeError(reference.hidden!.data, exact.lastHiddenState).toExponential(2)}`,
    );
    expect(relativeError(reference.hidden!.data, exact.lastHiddenState)).toBeLessThan(1e-10);
    if (exact.poolerOutput === undefined) expect(graph.outputs.pooled).toBeUndefined();
    else expect(relativeError(reference.pooled!.data, exact.poolerOutput)).toBeLessThan(1e-10);
    const single = interpret(graph, { inputs: { pixels }, params: hf.weights, precision: 'f32' });
    expect(relativeError(single.hidden!.data, exact.lastHiddenState)).toBeLessThan(CPU_F32_BUDGET);
  });
});

describe('loadHuggingFaceEncoder: checks before reading data', () => {
  it('reads TensorFlow-converted LayerNorm names (gamma, beta)', async () => {
    const checkpoint = tinyHuggingFaceBert({ taskModel: true });
    const renamed = new Map(
      [...checkpoint.tensors].map(([name, tensor]) => [
        name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'),
        { dtype: 'F32' as const, ...tensor },
      ]),
    );
    const dir = await writeDirectory({
      'config.json': checkpoint.files['config.json']!,
      'model.safetensors': writeSafetensors(renamed),
    });
    const hf = await loadHuggingFaceEncoder(dir);
    const reference = interpret(buildHuggingFaceEncoderGraph(hf, { batch: 2 }), {
      inputs: bertFeeds(),
      params: hf.weights,
      dims: { seq: SEQ },
    });
    const exact = bertModelForwardFloat64(
      checkpoint.config,
      checkpoint.tensors,
      { inputIds: IDS, tokenTypeIds: TYPES, attentionMask: MASK },
      'bert.',
    );
    expect(relativeError(reference.hidden!.data, exact.lastHiddenState)).toBeLessThan(1e-10);
  });

  it('lists missing, unexpected and misshapen tensors with the names and files of the checkpoint', async () => {
    const checkpoint = tinyHuggingFaceBert();
    const first = new Map(
      [...checkpoint.tensors]
        .filter(([name]) => name !== 'encoder.layer.1.intermediate.dense.bias')
        .map(([name, tensor]) => [name, { dtype: 'F32' as const, ...tensor }]),
    );
    first.set('pooler.dense.weight', { dtype: 'F32', shape: [32, 16], data: new Float64Array(512) });
    const second = new Map([
      [
        'encoder.layer.0.attention.self.rotary.weight',
        { dtype: 'F32' as const, shape: [4], data: new Float64Array(4) },
      ],
    ]);
    const [one, two] = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const weightMap = Object.fromEntries([
      ...[...first.keys()].map((name) => [name, one]),
      ...[...second.keys()].map((name) => [name, two]),
    ]);
    const dir = await writeDirectory({
      'config.json': checkpoint.files['config.json']!,
      [one!]: writeSafetensors(first),
      [two!]: writeSafetensors(second),
      'model.safetensors.index.json': JSON.stringify({ weight_map: weightMap }),
    });
    const failure = loadHuggingFaceEncoder(dir);
    await expect(failure).rejects.toThrow('encoder.layer.1.intermediate.dense.bias is missing');
    await expect(failure).rejects.toThrow(
      `encoder.layer.0.attention.self.rotary.weight is not a tensor of this model (unexpected), in ${two}`,
    );
    await expect(failure).rejects.toThrow(
      `pooler.dense.weight has shape [32, 16], expected [32, 32], in ${one}`,
    );
  });

  it('refuses config fields that change the math, and unknown ones, naming the field', async () => {
    const bert = tinyHuggingFaceBert();
    const withConfig = async (config: Record<string, unknown>) =>
      loadHuggingFaceEncoder(
        await writeDirectory({ ...bert.files, 'config.json': JSON.stringify({ ...bert.config, ...config }) }),
      );
    await expect(withConfig({ hidden_act: 'gelu_new' })).rejects.toThrow(
      /config\.json \(bert\): "hidden_act" is not supported: Weft maps only "gelu"/,
    );
    await expect(withConfig({ position_embedding_type: 'relative_key' })).rejects.toThrow(
      /"position_embedding_type" is not supported: relative position embeddings/,
    );
    await expect(withConfig({ is_decoder: true })).rejects.toThrow(/"is_decoder" is not supported/);
    await expect(withConfig({ rotary_dim: 8 })).rejects.toThrow(/unknown field\(s\) "rotary_dim"/);
    await expect(withConfig({ num_attention_heads: 5 })).rejects.toThrow(
      /"num_attention_heads" is not supported: it must divide hidden_size/,
    );
    await expect(withConfig({ type_vocab_size: 3 })).rejects.toThrow(
      'embeddings.token_type_embeddings.weight has shape [2, 32], expected [3, 32]',
    );

    const vit = tinyHuggingFaceVit();
    const vitWith = async (config: Record<string, unknown>) =>
      loadHuggingFaceEncoder(
        await writeDirectory({ ...vit.files, 'config.json': JSON.stringify({ ...vit.config, ...config }) }),
      );
    await expect(vitWith({ pooler_act: 'relu' })).rejects.toThrow(/"pooler_act" is not supported/);
    await expect(vitWith({ pooler_output_size: 16 })).rejects.toThrow(
      /"pooler_output_size" is not supported/,
    );
    await expect(vitWith({ patch_size: [4, 2] })).rejects.toThrow(
      /"patch_size" is not supported: Weft's ViT patches are square/,
    );
    await expect(vitWith({ image_size: 'big' })).rejects.toThrow(/"image_size" is invalid/);
    await expect(vitWith({ image_size: [8, 16] })).rejects.toThrow(
      'embeddings.position_embeddings has shape [1, 7, 32], expected [1, 9, 32]',
    );
  });

  it('reads a WordPiece tokenizer.json beside a BERT checkpoint', async () => {
    const dir = await writeDirectory({
      ...tinyHuggingFaceBert().files,
      'tokenizer.json': JSON.stringify(tinyWordPieceTokenizerJson()),
    });
    const hf = await loadHuggingFaceEncoder(dir);
    const tokenizer = hf.tokenizer!;
    // [CLS] hello , the cat ##s un ##believ ##able ! [UNK] [SEP]
    const ids = tokenizer.encode('Hello, the CATS unbelievable! dog');
    expect(ids).toEqual([2, 5, 13, 7, 11, 12, 8, 9, 10, 14, 1, 3]);
    expect(ids.every((id) => id < TINY_WORD_PIECE_VOCAB_SIZE)).toBe(true);
    expect(tokenizer.decode(ids.filter((id) => id !== 1))).toBe('hello, the cats unbelievable!');
    expect(tokenizer.tokenId('[MASK]')).toBe(4);
    const noTokenizer = await loadHuggingFaceEncoder(dir, { tokenizer: false });
    expect(noTokenizer.tokenizer).toBeUndefined();
  });

  it('sends decoders and encoders each to their own loader', async () => {
    const bert = await writeDirectory(tinyHuggingFaceBert().files);
    await expect(loadHuggingFaceModel(bert)).rejects.toThrow(
      /"bert" is not supported yet: it is an encoder: load it with loadHuggingFaceEncoder/,
    );
    const llama = await writeDirectory({ 'config.json': JSON.stringify({ model_type: 'llama' }) });
    await expect(loadHuggingFaceEncoder(llama)).rejects.toThrow(
      /"llama" is a decoder: load it with loadHuggingFaceModel/,
    );
    const mamba = await writeDirectory({ 'config.json': JSON.stringify({ model_type: 'mamba' }) });
    await expect(loadHuggingFaceEncoder(mamba)).rejects.toThrow(/"mamba" is not an encoder Weft loads/);
  });
});
