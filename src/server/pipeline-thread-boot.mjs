// Entry of the pipeline thread: TypeScript through tsx, as bin/parley.js does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./pipeline-thread-entry.ts');
