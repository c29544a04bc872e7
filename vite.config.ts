// The viewer (web/) built by Vite. It imports the checker's pure TS modules (scenario parser, compiler, BFS
// driver, replay) and the kernel from build/fdrace.wasm, so the page checks and replays exactly what the CLI does.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// Cross-origin isolation: the checker's Wasm may use shared memory in workers, which the browser only allows
// under COOP same-origin + COEP require-corp. `fdrace view` sends the same headers.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Classic scripts instead of modules: Chrome refuses module scripts from file://, so the built site loads them
 *  as deferred classic scripts (the bundle is one IIFE, the worker inlined as a blob:). */
const classicScripts = {
  name: 'fdrace-classic-scripts',
  enforce: 'post' as const,
  transformIndexHtml(html: string): string {
    return html.replace(/<script type="module" crossorigin src=/g, '<script defer src=').replace(/ crossorigin( |>)/g, '$1');
  },
};

export default defineConfig({
  plugins: [classicScripts],
  root: `${root}web`,
  base: './',
  // style.css is copied as it is: inlined into the bundle it would be an inline <style> the CSP forbids.
  publicDir: `${root}web/public`,
  server: { headers: ISOLATION_HEADERS, fs: { allow: [root] } },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'iife' },
  build: {
    outDir: `${root}web/dist`,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    rollupOptions: { output: { format: 'iife' } },
  },
});
