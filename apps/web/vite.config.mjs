// The front end's build: apps/web/client -> dist/web, served by apps/web (dist/apps/web/src/main.js).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./client'),
  base: './',
  // The one GraphQL client of the project, written for the browser and Node alike.
  resolve: { alias: { '@pedigree/graphql-client': here('../../libs/graphql-client/src/index.ts') } },
  logLevel: 'warn',
  build: { outDir: here('../../dist/web'), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    // `vite --config apps/web/vite.config.mjs` for development: the same /api proxy as apps/web.
    proxy: Object.fromEntries(['manufacturer', 'distributor', 'dispenser', 'forecast'].map((s, i) => [
      `/api/${s}/graphql`, { target: `http://127.0.0.1:${4001 + i + Number(process.env.PEDIGREE_PORT_OFFSET ?? 0)}`, rewrite: () => '/graphql' },
    ])),
  },
});
