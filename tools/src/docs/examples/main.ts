// The `@example` check (`pnpm check:examples`, a step of `pnpm verify`): every function a user calls
// directly (the rule is in user-facing.ts) carries a TSDoc `@example`, and every example of those
// functions type-checks as a module of its own under strict TypeScript. Lists what is missing and
// each type error; exits 1 on either, or on a building block that no longer exists.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportedFunctions } from './exported-functions.js';
import { typeCheckExamples } from './type-check-examples.js';
import { BUILDING_BLOCKS, USER_PACKAGES } from './user-facing.js';

const root = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const started = Date.now();
const { functions, exportNames } = exportedFunctions(root, USER_PACKAGES);
const failures: string[] = [];

const blocks = new Map(
  USER_PACKAGES.map((name) => [name, new Set(Object.values(BUILDING_BLOCKS[name]).flat())]),
);
const userFacing = functions.filter((fn) => !blocks.get(fn.packageName as never)?.has(fn.name));
for (const fn of userFacing) {
  if (fn.examples.length === 0)
    failures.push(`@weft/${fn.packageName} ${fn.name} (${fn.location}): no @example`);
}
for (const [packageName, names] of blocks) {
  const exported = new Set(functions.filter((fn) => fn.packageName === packageName).map((fn) => fn.name));
  for (const name of names) {
    if (!exported.has(name))
      failures.push(
        `user-facing.ts lists @weft/${packageName} ${name}, which the main entry does not export`,
      );
  }
}
// Inside the workspace, so that `@weft/*` resolve through tools' dependencies.
failures.push(...typeCheckExamples(userFacing, exportNames, join(root, 'tools', '.examples-check')));

const withExamples = userFacing.filter((fn) => fn.examples.length > 0).length;
console.log(
  `${userFacing.length} user-facing functions (of ${functions.length} exported) in ${USER_PACKAGES.length} packages, ` +
    `${withExamples} with an @example; ${((Date.now() - started) / 1000).toFixed(1)}s`,
);
for (const failure of failures) console.log(`FAILED ${failure}`);
process.exit(failures.length > 0 ? 1 : 0);
