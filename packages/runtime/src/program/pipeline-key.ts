import { fnv1a64 } from '@weft/ir';

/**
 * The pipeline-cache key of a WGSL module and entry point, free of names: comments are dropped and
 * each `var<storage>` array is renamed after its position (`weft_binding_0`, …), so kernels that
 * differ only in the user names they carry — the same layer repeated in a decoder (`in_layers_0_…`
 * and `in_layers_1_…`) — share one pipeline. Two modules with one key are the same program up to
 * a consistent renaming of their storage variables, bound by the same binding numbers, so either
 * module's pipeline computes the other's results.
 */
export function structuralPipelineKey(wgsl: string, entryPoint: string): string {
  const code = wgsl.replace(COMMENT, '');
  const positional = new Map<string, string>();
  for (const match of code.matchAll(STORAGE_DECLARATION)) {
    positional.set(match[1]!, `weft_binding_${positional.size}`);
  }
  const renamed = code.replace(IDENTIFIER, (word) => positional.get(word) ?? word);
  return `${fnv1a64(renamed)}:${renamed.length}:${entryPoint}`;
}

/** A line comment (WGSL has no string literals, so `//` always starts one). */
const COMMENT = /\/\/[^\n]*/g;
/** `var<storage, …> name:` — the declaration of a storage array. */
const STORAGE_DECLARATION = /var<storage[^>]*>\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/g;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;
