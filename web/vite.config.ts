import { defineConfig } from 'vite';

/**
 * The web app's build: `npm run build` (or `npm start`, when web/dist is missing or older than the sources)
 * writes web/dist, which the local platform serves and the CDK app deploys with its /config.json.
 */
export default defineConfig({
  root: import.meta.dirname,
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The players are large and only the watch page needs them: they stay in their own chunks, loaded on demand.
    chunkSizeWarningLimit: 600,
  },
  resolve: {
    // The IVS player calls Node's `new (require('events').EventEmitter)()`; browsers have no `events`, and
    // EventEmitter3 (a devDependency of ours for this) has the same on/off/emit API and that named export.
    alias: { events: 'eventemitter3' },
  },
  // `npx vite web`: a dev server with hot reload, in front of a running `npm start` (SKYCAST_URL), whose
  // settings, API, Cognito endpoint, media and outbox it passes through.
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ['/config.json', '/openapi.json', '/api', '/cognito', '/media', '/local'].map((path) => [
        path,
        process.env.SKYCAST_URL ?? 'http://127.0.0.1:3000',
      ]),
    ),
  },
});
