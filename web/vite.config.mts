// Builds the console into web/dist (`make install` runs it); the api serves it at /app.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The api's policy runs scripts from files only: no inline polyfill, no eval.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
