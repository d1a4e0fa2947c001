import { defineConfig } from 'vite';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources, as in the tests: no package build needed.
  resolve: { conditions: ['@weft/source', 'browser', 'module', 'import', 'default'] },
  // Relative asset URLs: the same build serves at a site's root and under the docs site's /playground/.
  base: './',
  // An ES module worker (it is started with `type: 'module'`) can split: the TypeScript transpiler
  // and the packages a spec module imports load only when the first TypeScript spec arrives.
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    rolldownOptions: {
      // The editor (CodeMirror, Lezer) in a chunk of its own: the page's code and Weft's stay
      // below the 500 kB chunk warning, and the editor caches apart from Weft's changes. Its
      // TypeScript highlighting stays out of it: a chunk loaded when the first TypeScript spec opens.
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'editor',
              test: /node_modules[\\/](@codemirror[\\/](?!lang-javascript)|@lezer[\\/](?!javascript)|codemirror|@marijn|style-mod|w3c-keyname|crelt)/,
            },
          ],
        },
      },
    },
  },
});
