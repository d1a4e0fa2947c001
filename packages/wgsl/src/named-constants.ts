/**
 * Float literals that are well-known constants, named in generated WGSL so that a reader sees
 * what they are: `x * LOG2_E` rather than `x * 1.4426950408889634`. A named constant is declared
 * once per module as an abstract-float `const` (usable in f32 and f16 code alike) with a comment.
 */
export interface NamedConstant {
  /** WGSL name (upper case). */
  readonly name: string;
  /** What it is, for the declaration's comment. */
  readonly meaning: string;
  /** Its value (positive). */
  readonly value: number;
}

/** The named constant equal to `Math.abs(value)` to within a few ulp, if any. */
export function namedConstant(value: number): NamedConstant | undefined {
  const magnitude = Math.abs(value);
  if (!Number.isFinite(magnitude) || magnitude === 0 || significantDigits(magnitude) < 6) return undefined;
  return table().find((candidate) => Math.abs(candidate.value - magnitude) <= 4e-16 * candidate.value);
}

/** The module-scope declaration of `constant`. */
export function constantDeclaration(constant: NamedConstant): string {
  return `const ${constant.name} = ${String(constant.value)}; // ${constant.meaning}`;
}

let cached: NamedConstant[] | undefined;

function table(): NamedConstant[] {
  if (cached !== undefined) return cached;
  const entries: NamedConstant[] = [
    { name: 'PI', meaning: 'π', value: Math.PI },
    { name: 'TAU', meaning: '2π', value: 2 * Math.PI },
    { name: 'INV_PI', meaning: '1/π', value: 1 / Math.PI },
    { name: 'E', meaning: 'e', value: Math.E },
    { name: 'LN_2', meaning: 'ln(2)', value: Math.LN2 },
    { name: 'LOG2_E', meaning: 'log2(e) = 1/ln(2)', value: Math.LOG2E },
    { name: 'LN_10', meaning: 'ln(10)', value: Math.LN10 },
    { name: 'LOG10_E', meaning: 'log10(e)', value: Math.LOG10E },
    { name: 'LN_2PI', meaning: 'ln(2π)', value: Math.log(2 * Math.PI) },
    { name: 'HALF_LN_2PI', meaning: 'ln(2π)/2', value: Math.log(2 * Math.PI) / 2 },
    { name: 'SQRT_2_OVER_PI', meaning: 'sqrt(2/π)', value: Math.sqrt(2 / Math.PI) },
    { name: 'SQRT_PI', meaning: 'sqrt(π)', value: Math.sqrt(Math.PI) },
  ];
  for (let n = 2; n <= 4096; n++) {
    const root = Math.sqrt(n);
    if (!Number.isInteger(root)) {
      entries.push({ name: `SQRT_${n}`, meaning: `sqrt(${n})`, value: root });
      entries.push({ name: `INV_SQRT_${n}`, meaning: `1/sqrt(${n})`, value: 1 / root });
    }
    entries.push({ name: `LN_${n}`, meaning: `ln(${n})`, value: Math.log(n) });
    entries.push({ name: `INV_${n}`, meaning: `1/${n}`, value: 1 / n });
  }
  for (let exponent = 5; exponent <= 12; exponent++) {
    entries.push({ name: `LN_1E${exponent}`, meaning: `ln(1e${exponent})`, value: Math.log(10 ** exponent) });
  }
  cached = entries;
  return entries;
}

function significantDigits(value: number): number {
  const mantissa = value.toExponential().split('e')[0]!.replace('.', '');
  return mantissa.length;
}
