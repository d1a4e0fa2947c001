import { compileExpr, type Expr, type ExprEnv, mul, SpecError, substituteExpr, variable } from '@weft/ir';
import { SCORE } from '../spec/attention-variables.js';
import type { AxisRole } from '../spec/tensor-use.js';
import type { NormalizerAttrs, NormalizerDef, NormalizerEncodeContext } from './normalizer-def.js';
import { checkStoredAttrs } from './stored-attrs.js';

/** What {@link rowLocalNormalizer} needs: a weight per kept score, no row statistics. */
export interface RowLocalNormalizerSpec<Options, P extends string> {
  /** Unique name, stored in the node's attributes. */
  readonly name: string;
  /** Checks and completes the builder's options (errors name the builder and the option). */
  options?(options: Options | undefined): Options;
  /**
   * The row parameters, Exprs over the attention variables (`h`, `q`, the lengths) and
   * captured-tensor reads, such as a per-head bias: stored on the node, computed once per row. Their
   * names are WGSL identifiers in the kernel (lowercase, not a kernel name such as `s`, `w` or `acc`).
   */
  parameters?(options: Options, context: NormalizerEncodeContext): Readonly<Record<P, Expr>>;
  /** Axis roles of the captured tensors the parameters read, by tensor name. */
  roles?(options: Options, context: NormalizerEncodeContext): Readonly<Record<string, readonly AxisRole[]>>;
  /**
   * The weight of a kept key of f32 score `score`, an Expr over it, the row parameters (as
   * variables) and the attention variables. Masked keys weigh 0.
   */
  weight(score: Expr, parameters: Readonly<Record<P, Expr>>): Expr;
  /**
   * A factor of the whole row, applied once to the output (`1 / Nk`: `keyLength.cast('f32')`
   * under a division), an Expr over the parameters and the row's attention variables; default 1.
   */
  scale?(parameters: Readonly<Record<P, Expr>>): Expr;
}

/** WGSL names the kernel's key loop already uses. */
const RESERVED = new Set(
  's w j d acc kept scores tile row query block nk nq bh b_i h_i q_i key_i kv_head_i value_head_i kv_row value_row kv_batch m_run l_run'.split(
    ' ',
  ),
);

/** The variable standing for the score in a row-local weight. */
const WEIGHT_SCORE = variable('rowLocal:score');

/**
 * A normalizer whose weights are w(s) of each kept score alone (times an optional row factor):
 * sigmoid, ReLU², ReLU/Nk... The weight is one Expr, from which the float64 reference (the Expr
 * evaluated per key), the decomposition (a map over the score grid), the tiled kernel's hook (the
 * Expr rendered in the key loop, parameters rendered once per row) and the split-keys hook (partial
 * sums add) all follow.
 *
 * @example
 * ```ts
 * // ReLU attention divided by the key count: relu(s) / Nk
 * const reluAttention = rowLocalNormalizer({
 *   name: 'reluOverKeys',
 *   weight: (s) => s.max(0),
 *   scale: () => constant(1).div(ATTENTION_INDICES.keyLength.cast('f32')),
 * });
 * attention({ heads: 8, headDim: 64, normalizer: defineNormalizer(reluAttention)() });
 * ```
 */
export function rowLocalNormalizer<Options = undefined, P extends string = never>(
  spec: RowLocalNormalizerSpec<Options, P>,
): NormalizerDef<Options, NormalizerAttrs> {
  const { name } = spec;
  const parametersOf = (attrs: NormalizerAttrs): Record<P, Expr> => {
    const stored = attrs as unknown as Record<string, Expr>;
    return Object.fromEntries(
      Object.keys(stored)
        .filter((key) => key !== 'name')
        .map((key) => [key, stored[key]!]),
    ) as Record<P, Expr>;
  };
  // The weight and scale over parameter variables, once per def.
  const parameterVariable = (key: string) => variable(`rowLocal:${key}`);
  const variablesOf = (attrs: NormalizerAttrs) =>
    Object.fromEntries(
      Object.keys(parametersOf(attrs)).map((key) => [key, parameterVariable(key)]),
    ) as Record<P, Expr>;
  const formulas = (attrs: NormalizerAttrs) => {
    const variables = variablesOf(attrs);
    return { weight: spec.weight(WEIGHT_SCORE, variables), scale: spec.scale?.(variables) };
  };
  // Parameters and the score inlined, as Exprs over the attention variables.
  const inline = (expr: Expr, attrs: NormalizerAttrs, score: Expr) => {
    const parameters = parametersOf(attrs) as Record<string, Expr>;
    return substituteExpr(expr, (part) => {
      if (part.kind !== 'var') return undefined;
      const key = String(part.payload);
      if (key === 'rowLocal:score') return score;
      return key.startsWith('rowLocal:') ? parameters[key.slice('rowLocal:'.length)] : undefined;
    });
  };
  const wgslNames = (attrs: NormalizerAttrs) =>
    Object.fromEntries([
      ['rowLocal:score', 's'],
      ...Object.keys(parametersOf(attrs)).map((key) => [`rowLocal:${key}`, key]),
    ]) as Record<string, string>;
  const setup = (attrs: NormalizerAttrs, context: { parameter(expr: Expr, name: string): string[] }) =>
    Object.entries(parametersOf(attrs) as Record<string, Expr>).flatMap(([key, expr]) =>
      context.parameter(expr, key),
    );
  const code = (
    attrs: NormalizerAttrs,
    context: {
      render(
        roots: readonly Expr[],
        prefix: string,
        variables?: Readonly<Record<string, string>>,
      ): {
        readonly lines: readonly string[];
        readonly values: readonly string[];
      };
    },
  ) => {
    const { weight, scale } = formulas(attrs);
    const names = wgslNames(attrs);
    const rendered = context.render([weight], 'weight_', names);
    const scaled = scale === undefined ? undefined : context.render([scale], 'row_scale_', names);
    return {
      perKey: [...rendered.lines, `let w = ${rendered.values[0]};`],
      setup: scaled?.lines ?? [],
      // Parenthesized: the kernels multiply by it (`total * scale`).
      outputScale: scaled === undefined ? '1.0' : `(${scaled.values[0]})`,
    };
  };
  return {
    name,
    ...(spec.options === undefined ? {} : { options: spec.options }),
    attrs(options, context) {
      const parameters = spec.parameters?.(options, context) ?? ({} as Record<P, Expr>);
      for (const key of Object.keys(parameters))
        if (!/^[a-z][a-z0-9_]*$/.test(key) || RESERVED.has(key) || key === 'name')
          throw new SpecError(`${name}: parameter "${key}" is no free WGSL name`, {
            block: context.block,
            expected: `a lowercase identifier other than name, ${[...RESERVED].join(', ')}`,
            actual: key,
          });
      return { name, ...parameters };
    },
    ...(spec.roles === undefined ? {} : { roles: spec.roles }),
    // Every stored parameter is an Expr.
    decode: (stored, block) =>
      checkStoredAttrs(
        stored,
        block,
        Object.fromEntries(Object.keys(parametersOf(stored)).map((key) => [key, 'expr' as const])),
      ),
    reference(attrs, scores, row) {
      const { weight, scale } = formulas(attrs);
      const values: Record<string, number> = { ...row.env.variables };
      for (const [key, expr] of Object.entries(parametersOf(attrs) as Record<string, Expr>))
        values[`rowLocal:${key}`] = row.evaluate(expr);
      const env: ExprEnv = {
        variables: values,
        ...(row.env.read === undefined ? {} : { read: row.env.read }),
      };
      const factor = scale === undefined ? 1 : compileExpr(scale)(env);
      const weightOf = compileExpr(weight);
      return {
        weights: scores.map((s) => {
          values['rowLocal:score'] = s;
          return weightOf(env) * factor;
        }),
        logSumExp: -Infinity,
      };
    },
    decompose(attrs, context) {
      const { weight, scale } = formulas(attrs);
      const weights = context.lower(inline(weight, attrs, SCORE), context.score);
      const scaled =
        scale === undefined
          ? weights
          : mul(weights, context.lower(inline(scale, attrs, SCORE), context.score));
      return { probabilities: context.kept(scaled, 0) };
    },
    kernel(attrs, context) {
      const { perKey, setup: scaleSetup, outputScale } = code(attrs, context);
      return {
        setup: [...setup(attrs, context), ...scaleSetup],
        passes: [
          {
            before: [],
            withValues: true,
            tile: context.eachKeptKey([...perKey, ...context.accumulate('w')]),
            after: [],
          },
        ],
        finish: [],
        outputScale,
      };
    },
    splitKeys: {
      // Weights of different keys do not interact: partial sums add.
      code(attrs, context) {
        const { perKey, setup: scaleSetup, outputScale } = code(attrs, context);
        return {
          setup: [...setup(attrs, context), ...scaleSetup],
          perKey: [...perKey, ...context.accumulate('w')],
          rescales: false,
          mergeMax: [],
          mergeInitial: '0.0',
          outputScale,
        };
      },
    },
  };
}
