import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../weights/safetensors.js';
import { openSafetensorsFile } from './safetensors-file.js';

let dir: string | undefined;
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function writeFileOf(name: string, bytes: Uint8Array): Promise<string> {
  dir ??= await mkdtemp(join(tmpdir(), 'weft-safetensors-file-'));
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const VALUES = [0, 1, -2.5, 3.140625, 1e-3, -65504, Number.POSITIVE_INFINITY, 7];

describe('openSafetensorsFile', () => {
  it('reads F32, F16 and BF16 tensors one by one, as readSafetensors reads them', async () => {
    const bytes = writeSafetensors({
      f32: { dtype: 'F32', shape: [2, 4], data: VALUES },
      f16: { dtype: 'F16', shape: [8], data: VALUES },
      bf16: { dtype: 'BF16', shape: [4, 2], data: VALUES },
      ids: { dtype: 'I32', shape: [2], data: [1, 2] },
    });
    const file = await openSafetensorsFile(await writeFileOf('mixed.safetensors', bytes));
    try {
      const whole = readSafetensors(bytes);
      for (const name of ['f32', 'f16', 'bf16']) {
        expect(file.entries.get(name)!.shape).toEqual(whole.get(name)!.shape);
        expect(Array.from(await file.readFloat32(name))).toEqual(Array.from(whole.get(name)!.data));
      }
      await expect(file.readFloat32('ids')).rejects.toThrow(/only floating-point weights load as float32/);
      await expect(file.readFloat32('nope')).rejects.toThrow(/has no tensor "nope"/);
    } finally {
      await file.close();
    }
  });

  it('checks the header against the file length without reading the data', async () => {
    const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [4], data: [1, 2, 3, 4] } });
    await expect(
      openSafetensorsFile(await writeFileOf('cut.safetensors', bytes.subarray(0, -4))),
    ).rejects.toThrow(/data_offsets reach past the end of the data section/);
    await expect(
      openSafetensorsFile(await writeFileOf('tiny.safetensors', bytes.subarray(0, 5))),
    ).rejects.toThrow(/shorter than its 8-byte header length/);
    await expect(
      openSafetensorsFile(await writeFileOf('head.safetensors', bytes.subarray(0, 20))),
    ).rejects.toThrow(/header length is larger than the file/);
    await expect(openSafetensorsFile(join(tmpdir(), 'weft-no-such-file.safetensors'))).rejects.toThrow(
      /ENOENT/,
    );
  });
});
