import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpret, tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { buildHuggingFaceEncoderGraph, loadHuggingFaceEncoder } from '@weft/models/hf';
import {
  bertModelForwardFloat64,
  TINY_WORD_PIECE_VOCAB_SIZE,
  tinyHuggingFaceBert,
  tinyWordPieceTokenizerJson,
} from '@weft/models/test';
import { afterAll, describe, expect, it } from 'vitest';
import { runWeft as weft } from './test-support/run-weft.js';

// `weft run` on a BERT directory with --device auto compiles for the WebGPU adapter (SwiftShader
// here). f32 budget (docs/guides/error-budget.md): the device's pooled output and hidden states
// within 2 × max(e_f32, 1.2e-7) of the dense float64 BertModel forward, e_f32 the error of the same
// graph evaluated in f32 by the reference interpreter. Compiling on the software adapter takes tens
// of seconds.
const LOADED_MACHINE_TIMEOUT_MS = 300_000;
const scratch = mkdtempSync(join(tmpdir(), 'weft-cli-hf-encoder-gpu-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface OutputFile {
  inputs: { tokens: number[] };
  hidden: { data: number[] };
  pooled: { data: number[] };
}

describe('weft run <BERT dir> on the device', () => {
  it('pooled output and hidden states within the f32 budget of float64', {
    timeout: LOADED_MACHINE_TIMEOUT_MS,
  }, async () => {
    const checkpoint = tinyHuggingFaceBert({ config: { vocab_size: TINY_WORD_PIECE_VOCAB_SIZE }, seed: 9 });
    const dir = join(scratch, 'bert');
    mkdirSync(dir);
    for (const [file, contents] of Object.entries(checkpoint.files)) writeFileSync(join(dir, file), contents);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyWordPieceTokenizerJson()));
    const prompt = 'the cats, unbelievable! hello world';
    const run = async (device: string) => {
      const output = join(scratch, `${device}.json`);
      const result = await weft('run', dir, '--prompt', prompt, '--device', device, '--output', output);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return { ...result, written: JSON.parse(readFileSync(output, 'utf8')) as OutputFile };
    };
    const device = await run('auto');
    expect(device.stdout).toMatch(/backend: WebGPU, \d+ kernels, \d+ dispatches per forward/);
    const ids = device.written.inputs.tokens;
    const exact = bertModelForwardFloat64(checkpoint.config, checkpoint.tensors, {
      inputIds: [ids],
      tokenTypeIds: [ids.map(() => 0)],
      attentionMask: [ids.map(() => 1)],
    });
    const hf = await loadHuggingFaceEncoder(dir);
    const single = interpret(buildHuggingFaceEncoderGraph(hf, { batch: 1 }), {
      inputs: {
        tokens: tensor64([1, ids.length], ids, 'i32'),
        tokenTypes: tensor64([1, ids.length], new Array(ids.length).fill(0), 'i32'),
        lengths: tensor64([1], [ids.length], 'i32'),
      },
      params: hf.weights,
      dims: { seq: ids.length },
      precision: 'f32',
    });
    for (const [name, reference] of [
      ['hidden', exact.lastHiddenState],
      ['pooled', exact.poolerOutput!],
    ] as const) {
      const onDevice = relativeError(Float64Array.from(device.written[name].data), reference);
      const onCpu = Math.max(relativeError(single[name]!.data, reference), 1.2e-7);
      console.info(
        `weft run BERT ${name} (${ids.length} tokens): device err ${onDevice.toExponential(2)}, f32 interpreter err ${onCpu.toExponential(2)}; ${/backend: WebGPU, (\d+) kernels/.exec(device.stdout)![1]} kernels per forward`,
      );
      expect(onDevice).toBeLessThanOrEqual(2 * onCpu);
    }
  });
});
