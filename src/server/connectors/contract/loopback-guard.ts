import { createGuardedHttp } from '../../platform/guarded-http.js';
import type { AdapterContext } from '../port.js';

/**
 * Adapter context for tests against local fake servers: the real private-address guard with loopback on its
 * allow-list (as PARLEY_ALLOW_PRIVATE_URLS=127.0.0.1,::1,localhost would), so the guard stays on.
 */
export const loopbackGuard = createGuardedHttp({ allow: ['127.0.0.1', '::1', 'localhost'] });
export const loopbackContext: AdapterContext = { fetch: loopbackGuard.fetch, socketOptions: loopbackGuard.socketOptions };
