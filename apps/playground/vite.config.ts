import { defineConfig } from 'vite';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources, as in the tests: no package build needed.
  resolve: { conditions: ['@weft/source', 'browser', 'module', 'import', 'default'] },
  // Relative asset URLs: the same build serves at a site's root and under the docs site's /playground/.
  base: './',
  build: {
    target: 'es2022',
    rolldownOptions: {
      // The editor (CodeMirror, Lezer) in a chunk of its own: the page's code and Weft's stay
      // below the 500 kB chunk warning, and the editor caches apart from Weft's changes.
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'editor',
              test: /node_modules[\\/](@codemirror|@lezer|codemirror|@marijn|style-mod|w3c-keyname|crelt)/,
            },
          ],
        },
      },
    },
  },
});
