import { type FileHandle, open } from 'node:fs/promises';
import { float16BitsToFloat32, InputError, UnsupportedError } from '@weft/ir';
import {
  parseSafetensorsHeader,
  readSafetensorsHeaderLength,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from '../weights/safetensors-header.js';

/**
 * A safetensors file opened for reading tensor by tensor: only its header is in memory; each
 * {@link SafetensorsFile.readFloat32} reads one tensor's bytes from the file handle.
 */
export interface SafetensorsFile {
  /** The file's path. */
  readonly path: string;
  /** The checked header (entries with their byte ranges in the file). */
  readonly header: SafetensorsHeader;
  /** The entries by tensor name. */
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  /**
   * Reads one floating-point tensor (F32, F16 or BF16) as float32. F32 data is read straight into
   * the returned array; F16/BF16 data is read into a buffer of its own size and widened.
   */
  readFloat32(name: string): Promise<Float32Array>;
  /** Closes the file handle. */
  close(): Promise<void>;
}

/**
 * Opens a safetensors file and checks its header (see `parseSafetensorsHeader`) without reading
 * any tensor data.
 *
 * @throws InputError when the file cannot be opened or is not a safetensors file; the header
 * checks' errors.
 *
 * @example
 * ```ts
 * const file = await openSafetensorsFile('model.safetensors');
 * const embedding = await file.readFloat32('model.embed_tokens.weight');
 * await file.close();
 * ```
 */
export async function openSafetensorsFile(path: string): Promise<SafetensorsFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new InputError(`cannot open "${path}": ${errorCode(error)}`);
  }
  try {
    const fileLength = (await handle.stat()).size;
    const lengthBytes = await readRange(handle, 0, Math.min(8, fileLength), path);
    const headerLength = readSafetensorsHeaderLength(lengthBytes, fileLength);
    const headerBytes = await readRange(handle, 0, 8 + headerLength, path);
    const header = parseSafetensorsHeader(headerBytes, fileLength);
    const entries = new Map(header.entries.map((entry) => [entry.name, entry]));
    return {
      path,
      header,
      entries,
      readFloat32: (name) => readFloat32(handle, path, entries, name),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readFloat32(
  handle: FileHandle,
  path: string,
  entries: ReadonlyMap<string, SafetensorsEntry>,
  name: string,
): Promise<Float32Array> {
  const entry = entries.get(name);
  if (entry === undefined) throw new InputError(`"${path}" has no tensor "${name}"`, { tensor: name });
  const { byteOffset, byteLength, dtype } = entry;
  switch (dtype) {
    case 'F32': {
      // Little-endian hosts read the bytes straight into the result (every host Node runs on).
      const data = new Float32Array(byteLength / 4);
      await readInto(handle, new Uint8Array(data.buffer), byteOffset, path);
      return data;
    }
    case 'F16':
    case 'BF16': {
      const raw = new Uint16Array(byteLength / 2);
      await readInto(handle, new Uint8Array(raw.buffer), byteOffset, path);
      const data = new Float32Array(raw.length);
      if (dtype === 'BF16') {
        // bfloat16 is the top half of a float32: shift the bits into place (exact, NaNs included).
        const bits = new Uint32Array(data.buffer);
        for (let i = 0; i < raw.length; i++) bits[i] = raw[i]! << 16;
      } else {
        for (let i = 0; i < raw.length; i++) data[i] = float16BitsToFloat32(raw[i]!);
      }
      return data;
    }
    default:
      throw new UnsupportedError('safetensors: only floating-point weights load as float32', {
        tensor: name,
        expected: 'F32, F16 or BF16',
        actual: dtype,
      });
  }
}

async function readRange(handle: FileHandle, position: number, length: number, path: string) {
  const bytes = new Uint8Array(length);
  await readInto(handle, bytes, position, path);
  return bytes;
}

/** Bytes per read call (Node caps one read below 2 GiB). */
const MAX_READ_BYTES = 2 ** 30;

/** Fills `target` from `position`; `read` may return fewer bytes than asked, so it loops. */
async function readInto(handle: FileHandle, target: Uint8Array, position: number, path: string) {
  let done = 0;
  while (done < target.length) {
    const chunk = Math.min(target.length - done, MAX_READ_BYTES);
    const { bytesRead } = await handle.read(target, done, chunk, position + done);
    if (bytesRead === 0) {
      throw new InputError(`"${path}" ended early (was it changed while loading?)`, {
        expected: `${target.length} bytes at offset ${position}`,
        actual: `${done} bytes`,
      });
    }
    done += bytesRead;
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
