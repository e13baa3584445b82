/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // Files copied as they are into dist/. (public/ holds the pre-SPA placeholder page, which the
  // API's black-box tests still use as their STATIC_DIR fixture: it must not land in dist/.)
  publicDir: 'static',
  build: {
    // dist/.vite/manifest.json: scripts/size.mjs measures what the search page loads first.
    manifest: true,
    target: 'es2022',
  },
  // `npm run dev`: the API (./scripts/run, or HANGAR_API_URL) behind the dev server's own
  // origin, so the SPA calls it same-origin exactly as when the API serves the built SPA.
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ['/api', '/media'].map((path) => [path, { target: process.env.HANGAR_API_URL ?? 'http://127.0.0.1:8080', changeOrigin: false }]),
    ),
  },
  preview: { port: 4173 },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    // Unit tests run in Node; component tests (`*.test.tsx`) ask for jsdom in their first line.
    environment: 'node',
    setupFiles: ['src/test/setup.ts'],
    // Generous: on a loaded 2-core machine (CI, parallel builds) jsdom renders take seconds.
    testTimeout: 30_000,
    // The API as seen by the SPA under test (requests go to the fake `fetch` of src/test/render.tsx).
    env: { VITE_API_BASE_URL: 'http://api.test' },
  },
});
