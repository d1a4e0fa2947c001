import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// "Use it in a Vite app" in docs/guides/getting-started.md shows the page that `pnpm check:packages`
// builds from the tarballs and loads in Chromium (tools/src/pack/fixture/web/): these tests keep the
// guide's three files identical to the checked ones (main.ts without its leading comment, which
// speaks of the check).
const root = new URL('../../../', import.meta.url);
const guide = readFileSync(new URL('docs/guides/getting-started.md', root), 'utf8');
const section = guide.split('## Use it in a Vite app')[1]?.split(/^## /m)[0] ?? '';
const fixture = (file: string) => readFileSync(new URL(`tools/src/pack/fixture/web/${file}`, root), 'utf8');

/** The code block that follows the line naming `file` in the section. */
function quoted(file: string): string | undefined {
  const escaped = file.replace('.', '\\.');
  const match = new RegExp(`^\`${escaped}\`[^\\n]*\\n\\n\`\`\`\\w+\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(
    section,
  );
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
