import { binary, type Expr, type Node, type PlacedIndex } from '@weft/ir';
import { defOf } from '@weft/ir/internal';

/**
 * The place of each layout of a matmul epilogue (the kernel's `MatmulSchedule.layouts`) for the
 * matmul element at `matmulIndex` (one i32 Expr per matmul axis), through the placing ops'
 * `placeElement`: its index, and whether the element lands there at all (the conjunction of the
 * slices' tests along the way).
 */
export function epilogueIndices(
  layouts: ReadonlyMap<Node, Node>,
  matmul: Node,
  matmulIndex: readonly Expr[],
): Map<Node, PlacedIndex> {
  const places = new Map<Node, PlacedIndex>([[matmul, { index: matmulIndex }]]);
  const placeOf = (layout: Node): PlacedIndex => {
    const known = places.get(layout);
    if (known !== undefined) return known;
    const operand = placeOf(layouts.get(layout.inputs[0]!)!);
    const own = defOf(layout).placeElement!(layout, operand.index)!;
    const tests = [operand.inside, own.inside].filter((test): test is Expr => test !== undefined);
    const inside = tests.length === 2 ? binary('and', tests[0]!, tests[1]!) : tests[0];
    const place = inside === undefined ? { index: own.index } : { index: own.index, inside };
    places.set(layout, place);
    return place;
  };
  for (const layout of new Set(layouts.values())) placeOf(layout);
  return places;
}
