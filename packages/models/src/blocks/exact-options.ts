import { SpecError } from '@weft/ir';

/**
 * Checks that `options` is a plain object whose own keys are all in `allowed`: an unknown key (a
 * typo such as `normaliser`) is a `SpecError` naming the key, where it sat and the block, never a
 * silently dropped option. `block` is the builder and path (`transformer block "layers.2"`);
 * `where` names the nested option object (`attention`), empty at the top level.
 */
export function checkExactOptions(
  block: string,
  path: string,
  options: unknown,
  allowed: readonly string[],
  where = '',
): void {
  const inside = where === '' ? '' : ` in ${where}`;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SpecError(`${block}: the options${inside} must be an object`, {
      block: path,
      expected: 'an object',
      actual: options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options,
    });
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new SpecError(`${block}: unknown option "${key}"${inside}`, {
        block: path,
        expected: `one of ${allowed.join(', ')}`,
        actual: key,
      });
    }
  }
}
