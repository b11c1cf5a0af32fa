import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

/** The agent workspace SPA: sources in src/web, built into dist/web and served by the API server at /. */
export default defineConfig({
  root: path.join(root, 'src/web'),
  plugins: [react()],
  // The server's CSP allows only same-origin scripts: no inline bootstrap, no eval.
  build: { outDir: path.join(root, 'dist/web'), emptyOutDir: true, sourcemap: true, modulePreload: { polyfill: false } },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
