import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// `vite build` writes apps/dashboard/dist, which the coordinator serves at /. `vite` (dev server)
// proxies /api to a coordinator on COORDINATOR_URL (default http://127.0.0.1:3000).
export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': process.env.COORDINATOR_URL ?? 'http://127.0.0.1:3000' } },
});
