import { f32Literal } from './linear-kernel-support.js';

/**
 * `decay_powers`, γ_h^m for every head h and m = 0 … `chunk` (index h·(chunk + 1) + m), computed
 * in float64 and rounded once: the kernels read decay powers from this table rather than from the
 * device's exp, whose error (several ulps on software adapters) would add to every weight (it took
 * the retention entry from 2.25× to 1.04× the f32 yardstick's error).
 */
export function decayPowerTable(decay: readonly number[], chunk: number): string {
  const values = decay.flatMap((rate) => Array.from({ length: chunk + 1 }, (_, m) => f32Literal(rate ** m)));
  // Lines of the generated module stay under 120 characters.
  const rows: string[] = [];
  let row = '';
  for (const value of values) {
    if (row.length > 0 && row.length + value.length + 2 > 110) {
      rows.push(`  ${row},`);
      row = '';
    }
    row = row.length === 0 ? value : `${row}, ${value}`;
  }
  rows.push(`  ${row},`);
  return [
    `// γ_h^m, h = 0 … ${decay.length - 1}, m = 0 … ${chunk}`,
    `var<private> decay_powers: array<f32, ${values.length}> = array<f32, ${values.length}>(`,
    ...rows,
    ');',
  ].join('\n');
}
