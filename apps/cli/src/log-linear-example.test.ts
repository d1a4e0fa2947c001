import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDecoderGraph, buildModelGraph, parseModelSpec, parseModelSpecJSON } from '@weft/models';
import { LOG_LINEAR_HYBRID_DECODER, LOG_LINEAR_HYBRID_DECODER_SPEC } from '@weft/models/test';
import { describe, expect, it } from 'vitest';
import { describeAttention } from './spec-summary-v2.js';
import { runWeft as weft } from './test-support/run-weft.js';

const example = fileURLToPath(new URL('../examples/log-linear-hybrid-decoder.json', import.meta.url));

describe('examples/log-linear-hybrid-decoder.json (log-linear layers, model spec v2)', () => {
  const spec = parseModelSpecJSON(readFileSync(example, 'utf8'));

  it('is LOG_LINEAR_HYBRID_DECODER_SPEC and builds the graphs of the TS definition', () => {
    const { $schema, ...document } = spec as typeof spec & { $schema?: string };
    expect($schema).toBe('../../../packages/models/schema/model.schema.json');
    expect(document).toEqual(parseModelSpec(LOG_LINEAR_HYBRID_DECODER_SPEC));
    for (const mode of ['forward', 'step'] as const) {
      const fromJson = buildModelGraph(spec, { mode }).graph.outputs;
      const fromTs = buildDecoderGraph(LOG_LINEAR_HYBRID_DECODER, { mode }).graph.outputs;
      expect(Object.keys(fromJson)).toEqual(Object.keys(fromTs));
      for (const name of Object.keys(fromTs)) expect(fromJson[name]!.hash, name).toBe(fromTs[name]!.hash);
    }
  });

  it('weft plan names the log-linear and softmax layers', async () => {
    const { code, stdout, stderr } = await weft('plan', example);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/attention \(layers 0\)\s+4 heads × 8, log-linear \(chunk 4\)/);
    expect(stdout).toMatch(/attention \(layers 1\)\s+4 heads × 8, 4 KV heads, rope, softmax/);
    expect(stdout).toMatch(/attention \(layers 2\)\s+4 heads × 8, log-linear \(chunk 2\)/);
    expect(stdout).toMatch(/kernel plan \(decode step, KV cache on the device\): \d+ IR ops -> \d+ kernels/);
  });

  it('weft run generates with the level states on the CPU fallback', async () => {
    const { code, stdout } = await weft(
      'run',
      example,
      '--device',
      'cpu',
      '--prompt',
      '3 1 4',
      '--tokens',
      '4',
    );
    expect(code).toBe(0);
    const generated = /generated \(4, maxTokens\): ((?:\d+ ?){4})$/m.exec(stdout);
    expect(generated).not.toBeNull();
    for (const id of generated![1]!.trim().split(' ')) expect(Number(id)).toBeLessThan(48);
  });

  it('the summary names a plain linear layer by its parts, not as softmax', () => {
    const linear = { decay: { kind: 'lightning' as const }, denominator: false as const };
    expect(describeAttention({ heads: 4, headDim: 8, linear })).toBe(
      '4 heads × 8, linear (elu1, lightning decay, no denominator)',
    );
  });
});
