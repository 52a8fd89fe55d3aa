// Vite build of the web portal. Everything the page needs is bundled into web/dist, so the portal
// works with no network beyond the Lightpath server that serves it.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
// In `vite dev`, API calls go to a running server; override with LIGHTPATH_API=http://host:port.
const apiTarget = process.env.LIGHTPATH_API ?? 'http://127.0.0.1:18080';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre alone is ~1 MB minified; warn only well past that.
    chunkSizeWarningLimit: 1600,
    sourcemap: true,
  },
  server: {
    proxy: { '/v1': apiTarget, '/readyz': apiTarget },
  },
});
