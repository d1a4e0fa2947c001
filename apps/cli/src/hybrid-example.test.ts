import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDecoderGraph, buildModelGraph, parseModelSpec, parseModelSpecJSON } from '@weft/models';
import { HYBRID_DECODER, HYBRID_DECODER_SPEC } from '@weft/models/test';
import { describe, expect, it } from 'vitest';
import { runWeft as weft } from './test-support/run-weft.js';

const hybrid = fileURLToPath(new URL('../examples/hybrid-decoder.json', import.meta.url));

describe('examples/hybrid-decoder.json (model spec v2)', () => {
  const spec = parseModelSpecJSON(readFileSync(hybrid, 'utf8'));

  it('is HYBRID_DECODER_SPEC and builds the graph of the TS definition HYBRID_DECODER', () => {
    const { $schema, ...document } = spec as typeof spec & { $schema?: string };
    expect($schema).toBe('../../../packages/models/schema/model.schema.json');
    expect(document).toEqual(parseModelSpec(HYBRID_DECODER_SPEC));
    for (const mode of ['forward', 'step'] as const) {
      const fromJson = buildModelGraph(spec, { mode }).graph.outputs;
      const fromTs = buildDecoderGraph(HYBRID_DECODER, { mode }).graph.outputs;
      expect(Object.keys(fromJson)).toEqual(Object.keys(fromTs));
      for (const name of Object.keys(fromTs)) expect(fromJson[name]!.hash, name).toBe(fromTs[name]!.hash);
    }
  });

  it('weft plan describes each attention variant with its layers and prints the kernel plan', async () => {
    const { code, stdout, stderr } = await weft('plan', hybrid);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('decoder-lm (schema v2)');
    expect(stdout).toMatch(
      /attention \(layers 0, 2\)\s+4 heads × 8, 2 KV heads, alibi, softcap\(cap 20\), sigmoid/,
    );
    expect(stdout).toMatch(
      /attention \(layers 1, 3\)\s+4 heads × 8, 2 KV heads, rope, softcap\(cap 20\), slidingWindow\(window 4\), softmax/,
    );
    expect(stdout).toMatch(/kernel plan \(decode step, KV cache on the device\): \d+ IR ops -> \d+ kernels/);
  });

  it('weft plan --json prints the normalized spec, which plans again to the same text', async () => {
    const first = await weft('plan', '--json', hybrid);
    expect(first.code).toBe(0);
    expect(parseModelSpecJSON(first.stdout)).toEqual(spec);
  });

  it('weft run generates with the KV cache on the CPU fallback', async () => {
    const { code, stdout } = await weft(
      'run',
      hybrid,
      '--device',
      'cpu',
      '--prompt',
      '3 1 4',
      '--tokens',
      '4',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('backend: CPU reference interpreter');
    const generated = /generated \(4, maxTokens\): ((?:\d+ ?){4})$/m.exec(stdout);
    expect(generated).not.toBeNull();
    for (const id of generated![1]!.trim().split(' ')) expect(Number(id)).toBeLessThan(48);
  });
});
