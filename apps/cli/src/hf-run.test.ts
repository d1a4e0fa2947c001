import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileModel } from '@weft/models';
import { loadHuggingFaceModel } from '@weft/models/hf';
import {
  TINY_GPT2_END_OF_TEXT_ID,
  TINY_GPT2_TOKENIZER_VOCAB_SIZE,
  TINY_TOKENIZER_VOCAB_SIZE,
  tinyByteLevelTokenizerJson,
  tinyGpt2TokenizerJson,
  tinyHuggingFaceGpt2,
  tinyHuggingFaceLlama,
} from '@weft/models/test';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'weft-cli-hf-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A tiny Llama directory in the Hugging Face layout, with a byte-level BPE tokenizer. */
function writeModelDir(name: string, withTokenizer = true): string {
  const dir = join(scratch, name);
  const checkpoint = tinyHuggingFaceLlama({
    dtype: 'BF16',
    config: { vocab_size: TINY_TOKENIZER_VOCAB_SIZE, eos_token_id: 1, bos_token_id: 0 },
  });
  mkdirSync(dir);
  for (const [file, contents] of Object.entries(checkpoint.files)) writeFileSync(join(dir, file), contents);
  if (withTokenizer) writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyByteLevelTokenizerJson()));
  return dir;
}

/** A tiny GPT-2 directory as `GPT2LMHeadModel.save_pretrained` writes it, with a GPT-2 tokenizer.json. */
function writeGpt2Dir(name: string): string {
  const dir = join(scratch, name);
  const checkpoint = tinyHuggingFaceGpt2({
    dtype: 'BF16',
    prefixed: true,
    config: {
      vocab_size: TINY_GPT2_TOKENIZER_VOCAB_SIZE,
      eos_token_id: TINY_GPT2_END_OF_TEXT_ID,
      bos_token_id: TINY_GPT2_END_OF_TEXT_ID,
    },
  });
  mkdirSync(dir);
  for (const [file, contents] of Object.entries(checkpoint.files)) writeFileSync(join(dir, file), contents);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyGpt2TokenizerJson()));
  return dir;
}

/** Runs the CLI in this process, capturing lines and streamed text. */
async function weft(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const chunks: string[] = [];
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    write: (text) => {
      chunks.push(text);
      out.push(`<<${text}>>`);
    },
    progress: { isTTY: false, write: () => {} },
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), chunks };
}

describe('weft run <Hugging Face model dir>', () => {
  it('tokenizes the prompt, generates on the CPU and streams the text', async () => {
    const dir = writeModelDir('tiny-llama');
    const prompt = 'hello world';
    const { code, stdout, stderr, chunks } = await weft(
      'run',
      dir,
      '--prompt',
      prompt,
      '--tokens',
      '8',
      '--device',
      'cpu',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`model ${dir}: llama (config.json)`);
    expect(stdout).toContain('backend: CPU reference interpreter');

    // The same generation through the library: the streamed text is the prompt and its decoded tokens.
    const hf = await loadHuggingFaceModel(dir);
    const model = await compileModel(hf.spec, { device: 'cpu', weights: hf.weights });
    const { tokens } = await model.generate(hf.tokenizer!.encode(prompt), { maxTokens: 8, stop: [1] });
    model.destroy();
    expect(chunks.join('')).toBe(`${prompt}${hf.tokenizer!.decode(tokens)}\n`);
    expect(chunks.length).toBeGreaterThan(2);
    expect(stdout).toMatch(new RegExp(`generated ${tokens.length} tokens \\((maxTokens|stopToken)\\)`));
  });

  it('takes token ids when the directory has no tokenizer.json', async () => {
    const dir = writeModelDir('no-tokenizer', false);
    const { code, stdout } = await weft('run', dir, '--prompt', '5 6 7', '--tokens', '3', '--device', 'cpu');
    expect(code).toBe(0);
    expect(stdout).toContain('no tokenizer.json: the prompt is token ids');
    expect(stdout).toMatch(/<<( \d+)+>>/);
  });

  it("plan reads a directory's config.json", async () => {
    const dir = writeModelDir('plan');
    const { code, stdout } = await weft('plan', dir);
    expect(code).toBe(0);
    expect(stdout).toContain(`spec ${dir}: valid`);
    expect(stdout).toMatch(/kernel plan \(decode step, KV cache on the device\): \d+ IR ops -> \d+ kernels/);
  });

  it('says clearly what is wrong with a directory or the options', async () => {
    const noConfig = await weft('run', scratch, '--prompt', 'hi', '--device', 'cpu');
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toContain('has no config.json: not a Hugging Face model directory');
    const dir = writeModelDir('options');
    const withWeights = await weft('run', dir, '--prompt', 'hi', '--weights', 'w.safetensors');
    expect(withWeights.stderr).toContain('--weights does not go with a model directory');
    const noPrompt = await weft('run', dir, '--device', 'cpu');
    expect(noPrompt.stderr).toContain('--prompt is required with a model directory');
  });

  it('runs a GPT-2 directory: the prompt in, text out (CPU)', async () => {
    const dir = writeGpt2Dir('tiny-gpt2');
    const prompt = 'hello the world';
    const { code, stdout, stderr, chunks } = await weft(
      'run',
      dir,
      '--prompt',
      prompt,
      '--tokens',
      '6',
      '--device',
      'cpu',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`model ${dir}: gpt2 (config.json)`);
    const hf = await loadHuggingFaceModel(dir);
    const model = await compileModel(hf.spec, { device: 'cpu', weights: hf.weights });
    const { tokens } = await model.generate(hf.tokenizer!.encode(prompt), {
      maxTokens: 6,
      stop: [TINY_GPT2_END_OF_TEXT_ID],
    });
    model.destroy();
    expect(chunks.join('')).toBe(`${prompt}${hf.tokenizer!.decode(tokens)}\n`);
  });

  it("plan reads a GPT-2 directory's config.json", async () => {
    const { code, stdout } = await weft('plan', writeGpt2Dir('plan-gpt2'));
    expect(code).toBe(0);
    const kernels = /kernel plan \(decode step, KV cache on the device\): (\d+) IR ops -> (\d+) kernels/.exec(
      stdout,
    );
    expect(kernels).not.toBeNull();
    console.info(`tiny GPT-2 decode step: ${kernels![1]} IR ops -> ${kernels![2]} kernels`);
  });
});
