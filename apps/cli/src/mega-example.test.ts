import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDecoderGraph, buildModelGraph, parseModelSpec, parseModelSpecJSON } from '@weft/models';
import { MEGA_HYBRID_DECODER, MEGA_HYBRID_DECODER_SPEC } from '@weft/models/test';
import { describe, expect, it } from 'vitest';
import { runWeft as weft } from './test-support/run-weft.js';

const mega = fileURLToPath(new URL('../examples/mega-decoder.json', import.meta.url));

describe('examples/mega-decoder.json (Mega blocks and softmax attention, model spec v2)', () => {
  const spec = parseModelSpecJSON(readFileSync(mega, 'utf8'));

  it('is MEGA_HYBRID_DECODER_SPEC and builds the graph of the TS definition MEGA_HYBRID_DECODER', () => {
    const { $schema, ...document } = spec as typeof spec & { $schema?: string };
    expect($schema).toBe('../../../packages/models/schema/model.schema.json');
    expect(document).toEqual(parseModelSpec(MEGA_HYBRID_DECODER_SPEC));
    for (const mode of ['forward', 'step'] as const) {
      const fromJson = buildModelGraph(spec, { mode }).graph.outputs;
      const fromTs = buildDecoderGraph(MEGA_HYBRID_DECODER, { mode }).graph.outputs;
      expect(Object.keys(fromJson)).toEqual(Object.keys(fromTs));
      for (const name of Object.keys(fromTs)) expect(fromJson[name]!.hash, name).toBe(fromTs[name]!.hash);
    }
  });

  it('weft plan describes the Mega layers and the softmax layer', async () => {
    const { code, stdout, stderr } = await weft('plan', mega);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/attention \(layers 0\)\s+Mega block: zDim 8, hDim 24, 4 EMA components, softmax/);
    expect(stdout).toMatch(/attention \(layers 2\)\s+Mega block: zDim 8, hDim 24, 4 EMA components, laplace/);
    expect(stdout).toMatch(/attention \(layers 1\)\s+4 heads × 4, 4 KV heads, rope, softmax/);
    expect(stdout).toMatch(/kernel plan \(decode step, KV cache on the device\): \d+ IR ops -> \d+ kernels/);
  });

  it('weft run generates with the EMA state and KV caches on the CPU fallback', async () => {
    const { code, stdout } = await weft('run', mega, '--device', 'cpu', '--prompt', '3 1 4', '--tokens', '4');
    expect(code).toBe(0);
    const generated = /generated \(4, maxTokens\): ((?:\d+ ?){4})$/m.exec(stdout);
    expect(generated).not.toBeNull();
    for (const id of generated![1]!.trim().split(' ')) expect(Number(id)).toBeLessThan(40);
  });
});
