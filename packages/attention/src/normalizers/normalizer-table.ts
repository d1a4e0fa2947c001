import { SpecError } from '@weft/ir';
import { BUILTIN_NORMALIZERS } from './builtin-normalizers.js';
import type { AnyNormalizerDef } from './normalizer-def.js';

/** Normalizer defs by name: how an attention node's `normalizer` attribute finds its def. */
export class NormalizerTable {
  private readonly defs: ReadonlyMap<string, AnyNormalizerDef>;

  constructor(defs: Iterable<AnyNormalizerDef>) {
    const byName = new Map<string, AnyNormalizerDef>();
    for (const def of defs) {
      const known = byName.get(def.name);
      if (known !== undefined && known !== def)
        throw new SpecError(`normalizer "${def.name}" is defined twice`, {
          expected: 'one def per normalizer name',
          actual: def.name,
        });
      byName.set(def.name, def);
    }
    this.defs = byName;
  }

  /** The def named `name`, or undefined. */
  get(name: string): AnyNormalizerDef | undefined {
    return this.defs.get(name);
  }

  /** Whether `def` is this table's def of its name. */
  has(def: AnyNormalizerDef): boolean {
    return this.defs.get(def.name) === def;
  }

  /** This table with `def` added (a def of a name already taken by another def is refused). */
  with(def: AnyNormalizerDef): NormalizerTable {
    return this.has(def) ? this : new NormalizerTable([...this.defs.values(), def]);
  }
}

/** The built-in normalizers. */
export const BUILTIN_NORMALIZER_TABLE = new NormalizerTable(BUILTIN_NORMALIZERS);
