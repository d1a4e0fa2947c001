/**
 * Bound on the normwise relative error of f32 kernels against the float64 reference for most
 * entries: normalized rows of at most 144 terms and attention rows of at most 24 keys stay near
 * 1e-6, and 1e-5 leaves room for SwiftShader's transcendental functions.
 */
export const DEFAULT_TOLERANCE = 1e-5;

/** With RoPE: f32 sine and cosine of angles up to about 40 radians lose a few more bits. */
export const ROPE_TOLERANCE = 2e-4;
