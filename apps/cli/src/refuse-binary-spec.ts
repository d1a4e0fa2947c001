import { InputError } from '@weft/ir';

/** What to pass instead of a weights or other binary file. */
const PASS_INSTEAD =
  'pass a model spec JSON or a Hugging Face model directory, and the weights with --weights';

/** Bytes looked at for NUL bytes: text never has them, binary formats soon do. */
const SNIFF_BYTES = 8192;

/**
 * Refuses a binary file given where a model spec belongs, naming what it looks like, instead of
 * parsing it as JSON and echoing binary garbage in the error.
 *
 * @throws InputError `model.safetensors is a safetensors weights file; pass a model spec JSON or a
 * Hugging Face model directory, and the weights with --weights`.
 */
export function refuseBinarySpec(path: string, bytes: Uint8Array): void {
  const kind = binaryKind(bytes);
  if (kind !== undefined) throw new InputError(`${path} is ${kind}; ${PASS_INSTEAD}`);
}

/** What a binary file looks like (`a safetensors weights file`), or undefined for text. */
function binaryKind(bytes: Uint8Array): string | undefined {
  if (isSafetensors(bytes)) return 'a safetensors weights file';
  if (startsWith(bytes, [0x47, 0x47, 0x55, 0x46])) return 'a GGUF weights file';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'a zip archive (a PyTorch checkpoint?)';
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return 'a binary file, not a JSON model spec';
  return undefined;
}

/** A safetensors file: a little-endian u64 header length, then a JSON header `{...}` that fits. */
function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  return headerLength >= 2n && 8n + headerLength <= BigInt(bytes.length) && bytes[8] === 0x7b;
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, index) => bytes[index] === byte);
}
