// The docs site's last step (`pnpm docs`): copies the built playground (apps/playground/dist, built
// with relative asset URLs by turbo's `^build`) to site/playground/, where playground.html (the
// page the guides link to, which typedoc copies to site/media/) sends the reader.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../apps/playground/dist/', import.meta.url));
const target = fileURLToPath(new URL('site/playground/', import.meta.url));
if (!existsSync(`${built}index.html`)) {
  console.error(
    `docs: no built playground at ${built}: run \`pnpm build\` (or \`pnpm --filter @weft/playground build\`) first`,
  );
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(built, target, { recursive: true });
console.log(`docs: the playground is at ${target}index.html`);
