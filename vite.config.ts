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

export default defineConfig({
  root: `${root}web`,
  base: './',
  publicDir: false,
  server: { headers: ISOLATION_HEADERS, fs: { allow: [root] } },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: {
    outDir: `${root}web/dist`,
    emptyOutDir: true,
    target: 'es2022',
    // Vite inlines small assets as data: URLs; the kernel must stay a separate file so it is fetched and
    // compiled as Wasm (and a data: URL would also fall foul of the page's CSP).
    assetsInlineLimit: (file: string) => (file.endsWith('.wasm') ? false : undefined),
  },
});
