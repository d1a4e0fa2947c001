import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONDITIONED_DECODER_SPEC } from '@weft/models/test';
import { afterAll, describe, expect, it } from 'vitest';
import { runWeft as weft } from './test-support/run-weft.js';

describe('a conditioned decoder-lm spec on the command line', () => {
  const directory = mkdtempSync(join(tmpdir(), 'weft-conditioned-'));
  const file = join(directory, 'conditioned-decoder.json');
  writeFileSync(file, JSON.stringify(CONDITIONED_DECODER_SPEC));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('weft plan lists the conditioning inputs and the conditional norms', async () => {
    const { code, stdout, stderr } = await weft('plan', file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/norm\s+adaLn, pre-norm \(overridden on some layers\)/);
    expect(stdout).toMatch(
      /conditioning\s+timestep \(16 frequencies\), classLabels \(10 classes\), taskIds \(3 tasks\)/,
    );
    expect(stdout).toMatch(/kernel plan \(decode step, KV cache on the device\): \d+ IR ops -> \d+ kernels/);
  });

  it('weft run refuses it, naming the inputs generation does not feed', async () => {
    const { code, stderr } = await weft('run', file, '--device', 'cpu');
    expect(code).not.toBe(0);
    expect(stderr).toContain('config.conditioning declares inputs (timestep, classLabels, taskIds)');
  });
});
