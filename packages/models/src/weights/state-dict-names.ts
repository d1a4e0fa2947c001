import { SpecError } from '@weft/ir';

/**
 * One rename rule: a PyTorch-style state-dict name pattern and the Weft parameter name it maps to.
 * `{layer}` (or any `{word}`) in `source` matches a non-negative integer and is substituted into
 * `target`.
 */
export interface StateDictRule {
  /** Source pattern, e.g. `model.layers.{layer}.self_attn.q_proj.weight`. */
  readonly source: string;
  /** Weft name, e.g. `layers.{layer}.attn.wq`. */
  readonly target: string;
  /**
   * Whether the tensor is a `torch.nn.Linear` weight stored `[out, in]` that Weft stores
   * `[in, out]` (so `x @ w`): loaders transpose it.
   */
  readonly transpose: boolean;
}

/** Where one state-dict name maps to. */
export interface StateDictMapping {
  /** The Weft parameter name. */
  readonly target: string;
  /** Whether the tensor must be transposed from `[out, in]` to `[in, out]`. */
  readonly transpose: boolean;
}

/** The result of {@link mapStateDictNames}: mapped names and the names no rule matched. */
export interface StateDictNameMap {
  /** Source name → Weft name, for every matched source name. */
  readonly mapped: ReadonlyMap<string, StateDictMapping>;
  /** Source names that no rule matched, in input order. */
  readonly unknown: readonly string[];
}

/** A tensor renamed by {@link renameStateDict}. */
export interface RenamedTensor<T> {
  /** The tensor, unchanged. */
  readonly tensor: T;
  /** Whether it must be transposed from `[out, in]` to `[in, out]`. */
  readonly transpose: boolean;
}

/**
 * The rules for Llama-style decoders (Llama, Mistral, Qwen2, Gemma and others that share the
 * Hugging Face `LlamaForCausalLM` names). Extend it by spreading: `[...LLAMA_STATE_DICT_RULES, rule]`.
 */
export const LLAMA_STATE_DICT_RULES: readonly StateDictRule[] = [
  { source: 'model.embed_tokens.weight', target: 'embedding.tokens', transpose: false },
  { source: 'lm_head.weight', target: 'head.weight', transpose: false },
  { source: 'model.norm.weight', target: 'finalNorm.gamma', transpose: false },
  {
    source: 'model.layers.{layer}.input_layernorm.weight',
    target: 'layers.{layer}.attnNorm.gamma',
    transpose: false,
  },
  {
    source: 'model.layers.{layer}.post_attention_layernorm.weight',
    target: 'layers.{layer}.mlpNorm.gamma',
    transpose: false,
  },
  ...(['q', 'k', 'v', 'o'] as const).flatMap((projection) => [
    {
      source: `model.layers.{layer}.self_attn.${projection}_proj.weight`,
      target: `layers.{layer}.attn.w${projection}`,
      transpose: true,
    },
    {
      source: `model.layers.{layer}.self_attn.${projection}_proj.bias`,
      target: `layers.{layer}.attn.b${projection}`,
      transpose: false,
    },
  ]),
  ...(['gate', 'up', 'down'] as const).map((projection) => ({
    source: `model.layers.{layer}.mlp.${projection}_proj.weight`,
    target: `layers.{layer}.mlp.w${projection[0]!.toUpperCase()}${projection.slice(1)}`,
    transpose: true,
  })),
];

/**
 * Maps PyTorch-style state-dict names to Weft parameter names with `rules` (the first matching
 * rule wins). Names no rule matches are reported in `unknown`, never dropped silently.
 *
 * @throws SpecError when a rule's target uses a placeholder its source does not define, or two
 * source names map to the same Weft name.
 */
export function mapStateDictNames(
  names: Iterable<string>,
  rules: readonly StateDictRule[] = LLAMA_STATE_DICT_RULES,
): StateDictNameMap {
  const compiled = rules.map(compileRule);
  const mapped = new Map<string, StateDictMapping>();
  const sourceOfTarget = new Map<string, string>();
  const unknown: string[] = [];
  for (const name of names) {
    const mapping = matchName(name, compiled);
    if (mapping === undefined) {
      unknown.push(name);
      continue;
    }
    const previous = sourceOfTarget.get(mapping.target);
    if (previous !== undefined) {
      throw new SpecError(`state dict: "${previous}" and "${name}" both map to the same Weft name`, {
        tensor: mapping.target,
      });
    }
    sourceOfTarget.set(mapping.target, name);
    mapped.set(name, mapping);
  }
  return { mapped, unknown };
}

/**
 * Renames a state dict to Weft names, requiring every name to be known: the error lists all
 * unknown names at once. Transposition is left to the caller (see {@link StateDictMapping}).
 *
 * @throws SpecError listing the unknown names, or from {@link mapStateDictNames}.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * // Hugging Face Llama names (model.layers.0.self_attn.q_proj.weight, ...) to Weft's.
 * const renamed = renameStateDict(readSafetensors(readFileSync('model.safetensors')));
 * ```
 */
export function renameStateDict<T>(
  tensors: ReadonlyMap<string, T>,
  rules: readonly StateDictRule[] = LLAMA_STATE_DICT_RULES,
): Map<string, RenamedTensor<T>> {
  const { mapped, unknown } = mapStateDictNames(tensors.keys(), rules);
  if (unknown.length > 0) {
    throw new SpecError(`state dict: ${unknown.length} name(s) match no rule: ${unknown.join(', ')}`, {
      expected: 'names matching the rename rules (extend the rules to map them)',
    });
  }
  const renamed = new Map<string, RenamedTensor<T>>();
  for (const [source, tensor] of tensors) {
    const { target, transpose } = mapped.get(source)!;
    renamed.set(target, { tensor, transpose });
  }
  return renamed;
}

interface CompiledRule {
  readonly pattern: RegExp;
  readonly placeholders: readonly string[];
  readonly rule: StateDictRule;
}

const PLACEHOLDER = /\{(\w+)\}/g;

function compileRule(rule: StateDictRule): CompiledRule {
  const placeholders: string[] = [];
  const parts = rule.source.split(PLACEHOLDER);
  // split with a capture group alternates literal text and placeholder names.
  const pattern = parts
    .map((part, index) => {
      if (index % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      placeholders.push(part);
      return '(0|[1-9][0-9]*)';
    })
    .join('');
  for (const [, name] of rule.target.matchAll(PLACEHOLDER)) {
    if (!placeholders.includes(name!)) {
      throw new SpecError(`state dict: rule target uses {${name}}, which its source does not define`, {
        tensor: rule.target,
        expected: `placeholders of "${rule.source}"`,
      });
    }
  }
  return { pattern: new RegExp(`^${pattern}$`), placeholders, rule };
}

function matchName(name: string, rules: readonly CompiledRule[]): StateDictMapping | undefined {
  for (const { pattern, placeholders, rule } of rules) {
    const match = pattern.exec(name);
    if (match === null) continue;
    const target = rule.target.replace(
      PLACEHOLDER,
      (_, key: string) => match[placeholders.indexOf(key) + 1]!,
    );
    return { target, transpose: rule.transpose };
  }
  return undefined;
}
