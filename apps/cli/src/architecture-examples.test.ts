import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph } from '@weft/ir';
import {
  buildArchitectureGraph,
  buildDitGraph,
  buildEncoderDecoderGraph,
  buildEncoderGraph,
  buildVitGraph,
  isArchitectureSpec,
  parseSpecDocument,
  parseSpecDocumentJSON,
} from '@weft/models';
import {
  TINY_DIT_CLASSES,
  TINY_DIT_SPEC,
  TINY_ENCODER,
  TINY_ENCODER_DECODER,
  TINY_ENCODER_DECODER_SPEC,
  TINY_ENCODER_SPEC,
  TINY_VIT,
  TINY_VIT_SPEC,
} from '@weft/models/test';
import { afterAll, describe, expect, it } from 'vitest';
import { runWeft as weft } from './test-support/run-weft.js';

const example = (name: string) => fileURLToPath(new URL(`../examples/${name}.json`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'weft-architectures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const hashes = (graph: Graph) =>
  Object.fromEntries(Object.entries(graph.outputs).map(([name, node]) => [name, node.hash]));

// Each example file, its spec constant in @weft/models/test, and the graph of its TS definition.
const EXAMPLES = [
  { file: 'bert-encoder', document: TINY_ENCODER_SPEC, ts: () => buildEncoderGraph(TINY_ENCODER) },
  { file: 'vit', document: TINY_VIT_SPEC, ts: () => buildVitGraph(TINY_VIT) },
  { file: 'dit-block', document: TINY_DIT_SPEC, ts: () => buildDitGraph(TINY_DIT_CLASSES) },
  {
    file: 'encoder-decoder',
    document: TINY_ENCODER_DECODER_SPEC,
    ts: () => buildEncoderDecoderGraph(TINY_ENCODER_DECODER, { mode: 'forward' }).graph,
  },
] as const;

describe.each(EXAMPLES)('examples/$file.json', ({ file, document, ts }) => {
  const spec = parseSpecDocumentJSON(readFileSync(example(file), 'utf8'));

  it('is its spec constant, and its JSON and TS forms build the same graph', () => {
    expect(spec).toEqual(parseSpecDocument(document));
    expect(isArchitectureSpec(spec)).toBe(true);
    if (!isArchitectureSpec(spec)) return;
    expect(hashes(buildArchitectureGraph(spec))).toEqual(hashes(ts()));
  });

  it('weft plan prints the summary and the kernel plan of the forward pass', async () => {
    const { code, stdout, stderr } = await weft('plan', example(file));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`${spec.kind} (schema v2)`);
    const summary =
      /kernel plan \(forward pass, batch 1\): (\d+) IR ops -> (\d+) kernels, (\d+) dispatches per forward/.exec(
        stdout,
      );
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(Number(summary![2]));
    expect(stdout.match(/^ {2}kernel \d+:/gm)).toHaveLength(Number(summary![2]));
  });

  it('weft plan --json prints the spec, which reads back to the same spec', async () => {
    const { code, stdout } = await weft('plan', '--json', example(file));
    expect(code).toBe(0);
    expect(parseSpecDocumentJSON(stdout)).toEqual(spec);
  });
});

describe('weft run on the architecture examples (CPU backend)', () => {
  it('encoder: hidden states and one pooled row per sequence, the second padded', async () => {
    const { code, stdout } = await weft(
      'run',
      example('bert-encoder'),
      '--device',
      'cpu',
      '--prompt',
      '3 1 4 1 5 9',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('backend: CPU reference interpreter');
    expect(stdout).toContain('tokens [2, 6]: row 0 3 1 4 1 5 9; row 1 its first 3, then padding');
    expect(stdout).toMatch(/hidden \[2, 6, 32\]: (-?\d\.\d+(e-?\d+)? ){6}…/);
    const rows = [...stdout.matchAll(/row (\d) \((\d) tokens\): (.*)/g)];
    expect(rows.map((row) => [row[1], row[2]])).toEqual([
      ['0', '6'],
      ['1', '3'],
    ]);
    // The padded sequence pools differently: the padding mask reaches the [CLS] token.
    expect(rows[0]![3]).not.toBe(rows[1]![3]);
  });

  it('ViT: the logits of a seeded image and the top class', async () => {
    const { code, stdout } = await weft('run', example('vit'), '--device', 'cpu');
    expect(code).toBe(0);
    expect(stdout).toContain('pixels [1, 3, 8, 12]');
    const all = /all: (.*)/.exec(stdout)![1]!.split(' ').map(Number);
    expect(all).toHaveLength(10);
    const top = Number(/top class: (\d+)/.exec(stdout)![1]);
    expect(all[top]).toBe(Math.max(...all));
  });

  it('DiT: the output of a latent at a timestep and class label', async () => {
    const { code, stdout } = await weft('run', example('dit-block'), '--device', 'cpu', '--seed', '3');
    expect(code).toBe(0);
    expect(stdout).toContain('timestep [1]: 500');
    expect(stdout).toContain('classLabels [1]: 1');
    expect(stdout).toMatch(/output \[1, 8, 16\]: .* \(mean -?\d.*, std \d/);
  });

  it('encoder–decoder: greedy target tokens from the source', async () => {
    const { code, stdout, progress } = await weft(
      'run',
      example('encoder-decoder'),
      '--device',
      'cpu',
      '--prompt',
      '7 8 9',
      '--tokens',
      '3',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('source [1, 3]: 7 8 9');
    const generated = /generated \(3, greedy\): (\d+) (\d+) (\d+)$/m.exec(stdout);
    expect(generated).not.toBeNull();
    for (const id of generated!.slice(1)) expect(Number(id)).toBeLessThan(48);
    expect(stdout).toContain('logits [1, 3, 48] of the last step');
    // Off a terminal: one plain progress line per generated token, with the elapsed time.
    expect(progress).toMatch(
      /^generating: 1\/3 tokens \([\d.]+ s\)\ngenerating: 2\/3 tokens .*\ngenerating: 3\/3 tokens .*\n$/,
    );
  });

  it('refuses a prompt for a kind without tokens, and one longer than the spec takes', async () => {
    const vit = await weft('run', example('vit'), '--device', 'cpu', '--prompt', '1 2');
    expect(vit).toMatchObject({ code: 1, stderr: expect.stringContaining('a vit spec takes no tokens') });
    const long = Array.from({ length: 17 }, () => '1').join(' ');
    const encoder = await weft('run', example('bert-encoder'), '--device', 'cpu', '--prompt', long);
    expect(encoder).toMatchObject({ code: 1, stderr: expect.stringContaining('the spec takes at most 16') });
  });
});

describe('weft bench on an architecture example (CPU backend)', () => {
  it('times the forward pass fused and unfused and writes JSON', async () => {
    const json = join(scratch, 'bench.json');
    const { code, stdout } = await weft(
      'bench',
      example('dit-block'),
      '--device',
      'cpu',
      '--repeats',
      '1',
      '--json',
      json,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^fused\s+cpu\s+[\d.]+ ± 0\.0\s+0/m);
    expect(stdout).toMatch(/^unfused\s+cpu/m);
    const rows = JSON.parse(readFileSync(json, 'utf8'));
    expect(rows.map((row: { variant: string }) => row.variant)).toEqual(['fused', 'unfused']);
    expect(rows[0].forwardMs).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ runs: 1, forwardMadMs: 0 });
  });
});
