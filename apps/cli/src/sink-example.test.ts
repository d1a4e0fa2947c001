import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDecoderGraph, buildModelGraph, parseModelSpec, parseModelSpecJSON } from '@weft/models';
import { SINK_DECODER, SINK_DECODER_SPEC } from '@weft/models/test';
import { describe, expect, it } from 'vitest';
import { runWeft as weft } from './test-support/run-weft.js';

const example = fileURLToPath(new URL('../examples/sink-decoder.json', import.meta.url));

describe('examples/sink-decoder.json (learned attention sinks as per-layer parameters)', () => {
  const spec = parseModelSpecJSON(readFileSync(example, 'utf8'));

  it('is SINK_DECODER_SPEC and builds the graph of the TS definition SINK_DECODER', () => {
    const { $schema, ...document } = spec as typeof spec & { $schema?: string };
    expect($schema).toBe('../../../packages/models/schema/model.schema.json');
    expect(document).toEqual(parseModelSpec(SINK_DECODER_SPEC));
    for (const mode of ['forward', 'step'] as const) {
      const fromJson = buildModelGraph(spec, { mode }).graph.outputs;
      const fromTs = buildDecoderGraph(SINK_DECODER, { mode }).graph.outputs;
      for (const name of Object.keys(fromTs)) expect(fromJson[name]!.hash, name).toBe(fromTs[name]!.hash);
    }
  });

  it('weft plan shows the learned sinks and counts them in the parameters', async () => {
    const { code, stdout, stderr } = await weft('plan', example);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /attention \(layers 0, 1\)\s+4 heads × 8, 2 KV heads, rope, softmax\(sink learned \[4\]\)/,
    );
    expect(stdout).toMatch(
      /attention \(layers 2\)\s+.*slidingWindow\(window 4\), softmax\(sink learned \[1\]\)/,
    );
    // 26,336 without sinks: 4 + 4 + 1 sink logits.
    expect(stdout).toMatch(/parameters\s+26,345 /);
    expect(stdout).toMatch(/kernel plan \(decode step, KV cache on the device\): \d+ IR ops -> \d+ kernels/);
  });

  it('weft run generates with the KV cache on the CPU fallback', async () => {
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
});
