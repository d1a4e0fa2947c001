import { editDistance } from '@weft/ir';
import type * as v from 'valibot';

/**
 * The message of an unknown `kind`: every known kind, and the closest one when the given kind looks
 * like a typo (`expected a mask kind: causal, slidingWindow, …; got "casual" (did you mean "causal"?)`).
 */
export function unknownKindMessage(what: string, known: readonly string[]) {
  return (issue: v.BaseIssue<unknown>): string => {
    const given = issue.input;
    if (typeof given !== 'string')
      return `expected a ${what} kind (a string: ${known.join(', ')}), got ${issue.received}`;
    const closest = closestKind(given, known);
    const hint = closest === undefined ? '' : ` (did you mean "${closest}"?)`;
    return `expected a ${what} kind: ${known.join(', ')}; got "${given}"${hint}`;
  };
}

/** The known kind nearest to `given` (edit distance, case ignored), if it is near enough to be a typo. */
export function closestKind(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const kind of known) {
    const distance = editDistance(given.toLowerCase(), kind.toLowerCase());
    if (distance < bestDistance) {
      best = kind;
      bestDistance = distance;
    }
  }
  // A third of the name, at least 2 edits: "casual" → "causal", "slidingwindow" → "slidingWindow".
  return bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}
