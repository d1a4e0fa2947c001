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
  // The builtin tanh is only accurate in absolute terms on some devices (SwiftShader computes it
  // through exp, losing the relative precision of small |x|) and overflows to NaN for large |x|.
  // Cephes tanhf: an odd minimax polynomial below |x| = 0.625 (~1 ulp), 1 - 2/(e^(2|x|) + 1)
  // above it, 1 from |x| = 9 (tanh(9) rounds to 1 in f32).
  weft_tanh: {
    requires: [],
    code: `fn weft_tanh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.625) {
    let z = x * x;
    var p = -5.70498872745e-3 * z + 2.06390887954e-2;
    p = p * z - 5.37397155531e-2;
    p = p * z + 1.33314422036e-1;
    p = p * z - 3.33332819422e-1;
    return p * z * x + x;
  }
  let t = 1.0 - 2.0 / (exp(2.0 * min(a, 9.0)) + 1.0);
  return select(-t, t, x >= 0.0);
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
  // log1p by its series below |x| = 0.1 (truncation x^10/10, relative 1e-10), log(1 + x) above
  // (the rounding of 1 + x is then at most 6e-7 of the result). Goldberg's log(u) * x / (u - 1)
  // is not used: compilers fold (1 + x) - 1 to x (SwiftShader does), which turns it into log(u).
  // The Horner chain is split in two lets only to keep lines under 120 characters.
  weft_log1p: {
    requires: [],
    code: `fn weft_log1p(x: f32) -> f32 {
  if (abs(x) < 0.1) {
    let tail = 0.16666666666666666 - x * (0.14285714285714285 - x * (0.125 - x * 0.1111111111111111));
    return x * (1.0 - x * (0.5 - x * (0.3333333333333333 - x * (0.25 - x * (0.2 - x * tail)))));
  }
  return log(1.0 + x);
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
  // softplus(x) = max(x, 0) + log1p(e) with e = exp(-|x|): no overflow, and log1p's series keeps
  // softplus(-17) = 4.1e-8 (log(1 + e) with 1 + e rounded to 1 gives 0).
  weft_softplus: {
    requires: ['weft_log1p'],
    code: `fn weft_softplus(x: f32) -> f32 {
  return max(x, 0.0) + weft_log1p(exp(-abs(x)));
}`,
  },
  // sin and cos of r in [-pi/4, pi/4] (Cephes sinf/cosf minimax polynomials, ~1 ulp), turned by
  // quadrant q (mod 4): (sin, cos) of r + q pi/2. The WGSL builtins are only 2^-11 absolute on
  // some devices.
  weft_sin_cos_reduced: {
    requires: [],
    code: `fn weft_sin_cos_reduced(r: f32, q: i32) -> vec2<f32> {
  let z = r * r;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  let quadrant = q & 3;
  if (quadrant == 0) {
    return vec2<f32>(s, c);
  }
  if (quadrant == 1) {
    return vec2<f32>(c, -s);
  }
  if (quadrant == 2) {
    return vec2<f32>(-s, -c);
  }
  return vec2<f32>(-c, s);
}`,
  },
  // (sin, cos) of x radians: Cody-Waite reduction by pi/2 in three parts (the first two short, so
  // k * part is exact for |k| < 2^16), then the polynomials.
  weft_sin_cos: {
    requires: ['weft_sin_cos_reduced'],
    code: `fn weft_sin_cos(x: f32) -> vec2<f32> {
  let k = round(x * 0.6366197723675814);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.549789948768648e-8;
  return weft_sin_cos_reduced(r, i32(k));
}`,
  },
  weft_sin: {
    requires: ['weft_sin_cos'],
    code: `fn weft_sin(x: f32) -> f32 {
  return weft_sin_cos(x).x;
}`,
  },
  weft_cos: {
    requires: ['weft_sin_cos'],
    code: `fn weft_cos(x: f32) -> f32 {
  return weft_sin_cos(x).y;
}`,
  },
  // (sin, cos) of 2 pi t for t in turns: the quarter turns are split off exactly (t - q/4 is exact
  // for |t| < 2^22), so only the remainder's 1/8 turn at most meets the rounding of 2 pi.
  weft_sin_cos_turns: {
    requires: ['weft_sin_cos_reduced'],
    code: `fn weft_sin_cos_turns(t: f32) -> vec2<f32> {
  let q = round(t * 4.0);
  let r = (t - q * 0.25) * 6.283185307179586;
  return weft_sin_cos_reduced(r, i32(q));
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
