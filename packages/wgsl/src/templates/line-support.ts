import type { Expr, Shape } from '@weft/ir';
import { indexVariable } from '@weft/ir';

/** A tensor seen as lines along one axis: the other axes' shape, and the full index of an element. */
export interface LineLayout {
  /** Shape of the axes other than `axis` (one line each). */
  readonly lineShape: Shape;
  /** Index of element `position` of line `l0..`: `positionName` at `axis`, line variables elsewhere. */
  readonly index: (position: Expr) => Expr[];
}

/** Splits `shape` into lines along `axis`; line variables are named `l0..`. */
export function lineLayout(shape: Shape, axis: number): LineLayout {
  const lineShape = shape.filter((_, position) => position !== axis);
  return {
    lineShape,
    index: (position) => {
      let line = 0;
      return shape.map((_, current) => (current === axis ? position : indexVariable(`l${line++}`)));
    },
  };
}
