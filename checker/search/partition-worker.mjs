// Worker entry (tsx cannot start a .ts file as a worker on Node 20: toolchain notes, gotcha 2).
import { register } from 'tsx/esm/api';

register();
const { serve } = await import('./partition-worker.ts');
serve();
