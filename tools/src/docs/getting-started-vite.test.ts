import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// "Use it in a Vite app" in docs/guides/getting-started.md shows the page that `pnpm check:packages`
// builds from the tarballs and loads in Chromium (tools/src/pack/fixture/web/): these tests keep the
// guide's three files identical to the checked ones (main.ts without its leading comment, which
// speaks of the check). The esbuild and webpack recipes build the same page with their own files
// (tools/src/pack/fixture/esbuild/, webpack/), kept identical too.
const root = new URL('../../../', import.meta.url);
const guide = readFileSync(new URL('docs/guides/getting-started.md', root), 'utf8');
const sectionOf = (heading: string) => guide.split(`## ${heading}\n`)[1]?.split(/^## /m)[0] ?? '';
const section = sectionOf('Use it in a Vite app');
const fixture = (file: string, folder = 'web') =>
  readFileSync(new URL(`tools/src/pack/fixture/${folder}/${file}`, root), 'utf8');

/** The code block that follows the line naming `file` in the section. */
function quoted(file: string, within = section): string | undefined {
  const escaped = file.replace('.', '\\.');
  const match = new RegExp(`^\`${escaped}\`[^\\n]*\\n\\n\`\`\`\\w+\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(within);
  return match?.[1];
}

describe("the guide's Vite recipe is the page the package check builds", () => {
  it('has the section', () => {
    expect(section).toContain('npx vite build');
  });

  for (const file of ['index.html', 'tsconfig.json']) {
    it(`quotes ${file} exactly`, () => {
      expect(quoted(file)).toBe(fixture(file));
    });
  }

  it('quotes main.ts exactly, after its leading comment', () => {
    const lines = fixture('main.ts').split('\n');
    const firstCode = lines.findIndex((line) => !line.startsWith('//'));
    expect(quoted('main.ts')).toBe(lines.slice(firstCode).join('\n'));
  });
});

describe("the guide's esbuild and webpack recipes are the builds the package check makes", () => {
  const recipes = [
    ['esbuild', 'Use it with esbuild', ['index.html'], 'npx esbuild main.ts --bundle --format=esm'],
    ['webpack', 'Use it with webpack', ['index.html', 'webpack.config.js'], 'npx webpack'],
  ] as const;
  for (const [bundler, heading, files, command] of recipes) {
    const recipe = sectionOf(heading);
    it(`has the ${bundler} section and its command`, () => {
      expect(recipe).toContain(command);
    });
    for (const file of files) {
      it(`quotes ${bundler}'s ${file} exactly`, () => {
        expect(quoted(file, recipe)).toBe(fixture(file, bundler));
      });
    }
  }
});
