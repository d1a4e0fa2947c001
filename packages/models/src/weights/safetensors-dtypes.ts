/**
 * The dtypes of the safetensors format, with their element sizes, and the subset Weft loads.
 */

/** A dtype name the safetensors format defines. */
export type SafetensorsDType =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'F8_E5M2'
  | 'F8_E4M3'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'I64'
  | 'U64'
  | 'F64';

/** Every dtype the safetensors format defines, with its element size in bytes. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<SafetensorsDType, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** Floating-point dtypes Weft reads and writes; they load as float32. */
export type SafetensorsFloatDType = 'F32' | 'F16' | 'BF16';

/** Integer dtypes Weft reads and writes; they load as int32 (I64 values must fit in 32 bits). */
export type SafetensorsIntDType = 'I32' | 'I64';

/** The dtypes Weft reads and writes. */
export type SupportedSafetensorsDType = SafetensorsFloatDType | SafetensorsIntDType;

/** The dtypes Weft reads and writes, in a stable order. */
export const SUPPORTED_SAFETENSORS_DTYPES: readonly SupportedSafetensorsDType[] = [
  'F32',
  'F16',
  'BF16',
  'I32',
  'I64',
];

/** Whether `name` is a dtype the safetensors format defines. */
export function isSafetensorsDType(name: string): name is SafetensorsDType {
  return Object.hasOwn(SAFETENSORS_DTYPE_BYTES, name);
}

/** Whether `dtype` is one Weft reads and writes. */
export function isSupportedSafetensorsDType(dtype: string): dtype is SupportedSafetensorsDType {
  return (SUPPORTED_SAFETENSORS_DTYPES as readonly string[]).includes(dtype);
}

/** Whether `dtype` loads as float32 (as opposed to int32). */
export function isSafetensorsFloatDType(dtype: SupportedSafetensorsDType): dtype is SafetensorsFloatDType {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}
