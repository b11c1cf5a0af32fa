// The classifier thread's entry point. A worker thread starts without the TypeScript loader that bin/parley.js
// registered on the main thread, so it registers tsx itself, as the CLI does.
import { register } from 'tsx/esm/api';

register();
await import('./classifier-thread.worker.ts');
