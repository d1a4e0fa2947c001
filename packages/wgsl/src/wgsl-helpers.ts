import { constantDeclaration, type NamedConstant } from './named-constants.js';

/**
 * Polyfills for what WGSL lacks, as `f32` functions (f16 callers convert around them). Each entry
 * lists the helpers it calls, so a module includes everything it needs exactly once.
 */
interface HelperDefinition {
  readonly requires: readonly string[];
  readonly code: string;
}

const HELPERS: Readonly<Record<string, HelperDefinition>> = {
  // A `var` keeps these out of constant evaluation, where infinity and NaN are errors.
  weft_inf: {
    requires: [],
    code: `fn weft_inf() -> f32 {
  var bits = 0x7f800000u;
  return bitcast<f32>(bits);
}`,
  },
  weft_nan: {
    requires: [],
    code: `fn weft_nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}`,
  },
  // Bit test: compilers may fold x != x to false.
  weft_is_nan: {
    requires: [],
    code: `fn weft_is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}`,
  },
  // tanh through exp overflows to NaN on some drivers for large |x|; tanh(15) is 1 in f32.
  weft_tanh: {
    requires: [],
    code: `fn weft_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}`,
  },
  // Rational approximation on [-4, 4] (erf is +-1 in f32 beyond), accurate to a few ulp.
  weft_erf: {
    requires: [],
    code: `fn weft_erf(x: f32) -> f32 {
  let z = clamp(x, -4.0, 4.0);
  let z2 = z * z;
  var p = z2 * -2.72614225801306e-10 + 2.77068142495902e-08;
  p = z2 * p + -2.10102402082508e-06;
  p = z2 * p + -5.69250639462346e-05;
  p = z2 * p + -7.34990630326855e-04;
  p = z2 * p + -2.95459980854025e-03;
  p = z2 * p + -1.60960333262415e-02;
  var q = z2 * -1.45660718464996e-05 + -2.13374055278905e-04;
  q = z2 * q + -1.68282697438203e-03;
  q = z2 * q + -7.37332916720468e-03;
  q = z2 * q + -1.42647390514189e-02;
  return z * p / q;
}`,
  },
  weft_gelu: {
    requires: ['weft_erf'],
    code: `fn weft_gelu(x: f32) -> f32 {
  return 0.5 * x * (1.0 + weft_erf(x * 0.7071067811865476)); // 0.707... = 1/sqrt(2)
}`,
  },
  weft_gelu_tanh: {
    requires: ['weft_tanh'],
    code: `fn weft_gelu_tanh(x: f32) -> f32 {
  let inner = 0.7978845608028654 * (x + 0.044715 * x * x * x); // 0.797... = sqrt(2/π)
  return 0.5 * x * (1.0 + weft_tanh(inner));
}`,
  },
  // exp of a non-positive argument only: no overflow for either sign.
  weft_sigmoid: {
    requires: [],
    code: `fn weft_sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}`,
  },
  weft_silu: {
    requires: ['weft_sigmoid'],
    code: `fn weft_silu(x: f32) -> f32 {
  return x * weft_sigmoid(x);
}`,
  },
  // log1p(x) = log(u) * x / (u - 1) with u = 1 + x cancels the rounding of u (Goldberg).
  weft_log1p: {
    requires: [],
    code: `fn weft_log1p(x: f32) -> f32 {
  let u = 1.0 + x;
  let d = u - 1.0;
  if (d == 0.0) {
    return x;
  }
  if (d == x) {
    return log(u);
  }
  return log(u) * (x / d);
}`,
  },
  // expm1(x) = (u - 1) * x / log(u) with u = exp(x) (Kahan).
  weft_expm1: {
    requires: [],
    code: `fn weft_expm1(x: f32) -> f32 {
  if (x > 80.0) {
    return exp(x);
  }
  let u = exp(x);
  if (u == 1.0) {
    return x;
  }
  let d = u - 1.0;
  if (d == -1.0) {
    return -1.0;
  }
  return d * (x / log(u));
}`,
  },
  // softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow, accurate for large negative x.
  weft_softplus: {
    requires: ['weft_log1p'],
    code: `fn weft_softplus(x: f32) -> f32 {
  return max(x, 0.0) + weft_log1p(exp(-abs(x)));
}`,
  },
  // WGSL pow is undefined for negative bases; follow IEEE pow for integral exponents.
  weft_pow: {
    requires: ['weft_nan'],
    code: `fn weft_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0) {
    return 1.0;
  }
  if (x >= 0.0) {
    return pow(x, y);
  }
  if (floor(y) != y) {
    return weft_nan();
  }
  let magnitude = pow(-x, y);
  return select(magnitude, -magnitude, floor(y * 0.5) * 2.0 != y);
}`,
  },
};

/** The ordered, deduplicated set of helper functions one module needs. */
export class HelperSet {
  private readonly names: string[] = [];
  private readonly constants = new Map<string, NamedConstant>();

  /** Declares named constant `constant` in the module (once). */
  addConstant(constant: NamedConstant): void {
    this.constants.set(constant.name, constant);
  }

  /** Adds `name` and the helpers it calls (dependencies first). */
  add(name: string): void {
    if (this.names.includes(name)) return;
    const definition = HELPERS[name];
    if (definition === undefined) throw new Error(`unknown WGSL helper "${name}"`);
    for (const dependency of definition.requires) this.add(dependency);
    this.names.push(name);
  }

  /** The named constants' declarations (one block), then the helpers' code, in dependency order then first use. */
  code(): string[] {
    const constants = [...this.constants.values()].map(constantDeclaration);
    return [
      ...(constants.length === 0 ? [] : [constants.join('\n')]),
      ...this.names.map((name) => HELPERS[name]!.code),
    ];
  }
}
