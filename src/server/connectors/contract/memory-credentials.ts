import type { CredentialStore } from '../port.js';

export interface MemoryCredentialStore extends CredentialStore {
  /** What a restarted adapter would be built from. */
  readonly current: Record<string, unknown>;
  /** Every patch saved, oldest first. */
  readonly saves: Record<string, unknown>[];
}

/** Test support: the channel row's sealed credentials, kept in memory so a fixture can rebuild adapters from the newest ones. */
export function createMemoryCredentialStore(initial: Record<string, unknown>): MemoryCredentialStore {
  let current = { ...initial };
  const saves: Record<string, unknown>[] = [];
  return {
    get current() {
      return { ...current };
    },
    saves,
    load: () => Promise.resolve({ ...current }),
    save(patch) {
      saves.push({ ...patch });
      current = { ...current, ...patch };
      return Promise.resolve();
    },
  };
}
