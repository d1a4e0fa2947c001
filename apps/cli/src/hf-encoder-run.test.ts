import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attention } from '@weft/attention/kernels';
import { relativeError } from '@weft/ir/test';
import { buildHuggingFaceEncoderGraph, loadHuggingFaceEncoder } from '@weft/models/hf';
import {
  bertModelForwardFloat64,
  TINY_WORD_PIECE_VOCAB_SIZE,
  tinyHuggingFaceBert,
  tinyHuggingFaceLlama,
  tinyHuggingFaceVit,
  tinyWordPieceTokenizerJson,
  vitModelForwardFloat64,
} from '@weft/models/test';
import { compile } from '@weft/runtime';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { formatValues } from './architecture-inputs.js';
import { runWeft as weft } from './test-support/run-weft.js';

const scratch = mkdtempSync(join(tmpdir(), 'weft-cli-hf-encoder-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The CPU backend is the float64 reference interpreter with outputs rounded to float32: against the
 * dense float64 HF forward, about one f32 rounding.
 */
const CPU_BUDGET = 1e-6;

function writeDir(name: string, files: Readonly<Record<string, string | Uint8Array>>): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const [file, contents] of Object.entries(files)) writeFileSync(join(dir, file), contents);
  return dir;
}

interface OutputFile {
  modelType: string;
  inputs: { tokens?: number[] };
  hidden: { shape: number[]; data: number[] };
  pooled?: { shape: number[]; data: number[] };
}

/** The same directory through the library: loadHuggingFaceEncoder, the graph, a CPU program. */
async function libraryRun(
  dir: string,
  feeds: Record<string, Int32Array | Float32Array>,
  dims: Record<string, number>,
) {
  const hf = await loadHuggingFaceEncoder(dir);
  const program = await compile(buildHuggingFaceEncoderGraph(hf, { batch: 1 }), {
    device: 'cpu',
    params: hf.weights,
    extensions: [attention],
  });
  try {
    const outputs = await program.run(feeds, { dims });
    return { hf, hidden: Array.from(outputs.hidden!.data), pooled: Array.from(outputs.pooled!.data) };
  } finally {
    program.destroy();
  }
}

function bertDir(name: string) {
  const checkpoint = tinyHuggingFaceBert({
    config: { vocab_size: TINY_WORD_PIECE_VOCAB_SIZE },
    dtype: 'BF16',
  });
  const dir = writeDir(name, {
    ...checkpoint.files,
    'tokenizer.json': JSON.stringify(tinyWordPieceTokenizerJson()),
  });
  return { dir, checkpoint };
}

/** RGBA bytes of a seeded random image (alpha 255). */
function randomRgba(width: number, height: number, seed: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  let state = seed;
  for (let index = 0; index < rgba.length; index++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    rgba[index] = index % 4 === 3 ? 255 : state % 256;
  }
  return rgba;
}

function pngBytes(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png);
}

/** `[1, 3, H, W]` pixels from RGBA, box-averaged over `factor × factor` blocks, then `(v/255 − mean)/std`. */
function expectedPixels(
  rgba: Uint8Array,
  width: number,
  [height, outWidth]: [number, number],
  factor: number,
  mean: readonly number[],
  std: readonly number[],
): Float32Array {
  const pixels = new Float32Array(3 * height * outWidth);
  for (let channel = 0; channel < 3; channel++)
    for (let row = 0; row < height; row++)
      for (let col = 0; col < outWidth; col++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++)
          for (let dx = 0; dx < factor; dx++)
            sum += rgba[((row * factor + dy) * width + col * factor + dx) * 4 + channel]!;
        const value = sum / factor ** 2 / 255;
        pixels[(channel * height + row) * outWidth + col] = (value - mean[channel]!) / std[channel]!;
      }
  return pixels;
}

describe('weft run <Hugging Face encoder dir>', () => {
  it('BERT: tokenizes --prompt with the WordPiece tokenizer.json and prints the pooled output (CPU)', async () => {
    const { dir, checkpoint } = bertDir('tiny-bert');
    const output = join(scratch, 'bert.json');
    const prompt = 'Hello, unbelievable cats!';
    const { code, stdout, stderr } = await weft(
      'run',
      dir,
      '--prompt',
      prompt,
      '--device',
      'cpu',
      '--output',
      output,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`model ${dir}: bert (config.json), encoder`);
    expect(stdout).toContain('backend: CPU reference interpreter');

    const written = JSON.parse(readFileSync(output, 'utf8')) as OutputFile;
    const hfTokenizer = (await loadHuggingFaceEncoder(dir)).tokenizer!;
    const ids = hfTokenizer.encode(prompt);
    expect(written.inputs.tokens).toEqual(ids);
    expect(ids[0]).toBe(2); // [CLS] from the tokenizer's template
    expect(stdout).toContain(`prompt: ${ids.length} tokens (${ids.join(' ')}), WordPiece tokenizer.json`);
    const library = await libraryRun(
      dir,
      {
        tokens: Int32Array.from(ids),
        tokenTypes: new Int32Array(ids.length),
        lengths: Int32Array.of(ids.length),
      },
      { seq: ids.length },
    );
    expect(written.hidden.shape).toEqual([1, ids.length, 32]);
    expect(written.hidden.data).toEqual(library.hidden);
    expect(written.pooled!.data).toEqual(library.pooled);
    expect(stdout).toContain(`hidden [1, ${ids.length}, 32]: ${ids.length} tokens of hidden size 32`);
    expect(stdout).toContain(`pooled [32]: ${formatValues(library.pooled, 8)} (L2 norm `);

    // And against the independent dense float64 forward of BertModel.
    const exact = bertModelForwardFloat64(checkpoint.config, checkpoint.tensors, {
      inputIds: [ids],
      tokenTypeIds: [ids.map(() => 0)],
      attentionMask: [ids.map(() => 1)],
    });
    expect(relativeError(Float64Array.from(written.hidden.data), exact.lastHiddenState)).toBeLessThan(
      CPU_BUDGET,
    );
    expect(relativeError(Float64Array.from(written.pooled!.data), exact.poolerOutput!)).toBeLessThan(
      CPU_BUDGET,
    );
  });

  it('ViT: reads a PNG at the model size, normalized as preprocessor_config.json says', async () => {
    const checkpoint = tinyHuggingFaceVit({ seed: 3 });
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const dir = writeDir('tiny-vit', {
      ...checkpoint.files,
      'preprocessor_config.json': JSON.stringify({
        do_normalize: true,
        do_rescale: true,
        do_resize: true,
        image_mean: mean,
        image_std: std,
        image_processor_type: 'ViTImageProcessor',
        resample: 2,
        rescale_factor: 1 / 255,
        size: { height: 8, width: 12 },
      }),
    });
    const rgba = randomRgba(12, 8, 7);
    const image = join(scratch, 'image.png');
    writeFileSync(image, pngBytes(12, 8, rgba));
    const output = join(scratch, 'vit.json');
    const { code, stdout, stderr } = await weft(
      'run',
      dir,
      '--image',
      image,
      '--device',
      'cpu',
      '--output',
      output,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`image ${image}: 12×8 (width×height)`);
    expect(stdout).toContain(
      'preprocessor_config.json: resized to 8×12, scaled by 0.003922, mean [0.485, 0.456, 0.406]',
    );

    const pixels = expectedPixels(rgba, 12, [8, 12], 1, mean, std);
    const library = await libraryRun(dir, { pixels }, {});
    const written = JSON.parse(readFileSync(output, 'utf8')) as OutputFile;
    expect(
      relativeError(Float64Array.from(written.hidden.data), Float64Array.from(library.hidden)),
    ).toBeLessThan(1e-6);
    expect(
      relativeError(Float64Array.from(written.pooled!.data), Float64Array.from(library.pooled)),
    ).toBeLessThan(1e-6);
    const exact = vitModelForwardFloat64(checkpoint.config, checkpoint.tensors, pixels, 1);
    expect(relativeError(Float64Array.from(written.pooled!.data), exact.poolerOutput!)).toBeLessThan(1e-6);
  });

  it('ViT: a JPEG twice the model size is resized bilinearly (a 2×2 average) with the default processor', async () => {
    const checkpoint = tinyHuggingFaceVit({ seed: 4 });
    const dir = writeDir('tiny-vit-jpeg', checkpoint.files);
    const image = join(scratch, 'image.jpg');
    writeFileSync(image, jpeg.encode({ width: 24, height: 16, data: randomRgba(24, 16, 11) }, 95).data);
    const decoded = jpeg.decode(readFileSync(image), { useTArray: true, formatAsRGBA: true });
    const output = join(scratch, 'vit-jpeg.json');
    const { code, stdout, stderr } = await weft(
      'run',
      dir,
      '--image',
      image,
      '--device',
      'cpu',
      '--output',
      output,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain("no preprocessor_config.json: resized to config.json's image_size 8×12");
    const pixels = expectedPixels(decoded.data, 24, [8, 12], 2, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
    const library = await libraryRun(dir, { pixels }, {});
    const written = JSON.parse(readFileSync(output, 'utf8')) as OutputFile;
    expect(
      relativeError(Float64Array.from(written.pooled!.data), Float64Array.from(library.pooled)),
    ).toBeLessThan(1e-6);
    expect(stdout).toContain(`pooled [32]: `);
  });

  it('says which flags go with which encoder, naming them', async () => {
    const { dir: bert } = bertDir('errors-bert');
    const vit = writeDir('errors-vit', tinyHuggingFaceVit().files);
    const png = join(scratch, 'errors.png');
    writeFileSync(png, pngBytes(12, 8, randomRgba(12, 8, 1)));
    const cases: [string[], string][] = [
      [
        ['run', bert, '--image', png],
        '--image does not go with a BERT (text encoder) directory: it takes --prompt "text"',
      ],
      [['run', bert], '--prompt is required with a BERT (text encoder) directory'],
      [
        ['run', bert, '--prompt', 'hi', '--tokens', '4'],
        '--tokens does not go with a BERT (text encoder) directory',
      ],
      [
        ['run', vit, '--prompt', 'a cat'],
        '--prompt does not go with a ViT (image encoder) directory: it takes --image',
      ],
      [['run', vit], '--image is required with a ViT (image encoder) directory'],
      [
        ['run', vit, '--image', png, '--temperature', '0.5'],
        '--temperature does not go with a ViT (image encoder) directory',
      ],
      [['run', vit, '--image', join(scratch, 'bert.json')], 'is neither a PNG nor a JPEG file'],
      [['run', vit, '--image', join(scratch, 'missing.png')], '--image: cannot read'],
    ];
    writeFileSync(join(scratch, 'bert.json'), '{}');
    for (const [args, message] of cases) {
      const { code, stderr } = await weft(...args, '--device', 'cpu');
      expect(code, args.join(' ')).toBe(1);
      expect(stderr).toContain(message);
    }
    const mismatch = writeDir('size-mismatch', {
      ...tinyHuggingFaceVit().files,
      'preprocessor_config.json': JSON.stringify({ size: { height: 224, width: 224 } }),
    });
    const sized = await weft('run', mismatch, '--image', png, '--device', 'cpu');
    expect(sized.stderr).toContain(
      "preprocessor_config.json: size 224×224 is not config.json's image_size 8×12",
    );
    const noResize = writeDir('no-resize', {
      ...tinyHuggingFaceVit().files,
      'preprocessor_config.json': JSON.stringify({ do_resize: false, size: { height: 8, width: 12 } }),
    });
    const large = join(scratch, 'large.png');
    writeFileSync(large, pngBytes(24, 16, randomRgba(24, 16, 2)));
    const unresized = await weft('run', noResize, '--image', large, '--device', 'cpu');
    expect(unresized.stderr).toContain(
      '--image is 16×24; the processor does not resize and the model takes 8×12',
    );
    const decoder = writeDir('decoder', tinyHuggingFaceLlama().files);
    const onDecoder = await weft('run', decoder, '--prompt', '1 2', '--image', png, '--device', 'cpu');
    expect(onDecoder.stderr).toContain('--image does not go with a decoder directory');
    const vitSpec = fileURLToPath(new URL('../examples/vit.json', import.meta.url));
    const spec = await weft('run', vitSpec, '--output', join(scratch, 'o.json'), '--device', 'cpu');
    expect(spec.stderr).toContain(
      '--output goes with a Hugging Face encoder directory (BERT or ViT), not a spec file',
    );
  });
});
