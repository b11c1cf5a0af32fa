import type { Platform } from '../../shared/envelope.js';
import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import type { SecretBox } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { OutgoingUrlPolicy } from '../trust/outgoing-urls.js';
import { recordAudit } from './audit.js';

export interface NewChannelInput {
  platform: Platform;
  name: string;
  brandId?: string | null;
  config?: Record<string, unknown>;
  credentials?: Record<string, unknown> | null;
  ownAccountIds?: string[];
}

/** Channel management; credentials are sealed with AES-256-GCM before they reach the store and never leave it in the clear. */
export const createChannelsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock; secrets: SecretBox; urlPolicy?: OutgoingUrlPolicy }) => {
  const { repos, uow, clock, secrets } = deps;
  return {
    list: (): Promise<Channel[]> => repos.channels.list(),

    async get(id: string): Promise<Channel> {
      const channel = await repos.channels.get(id);
      if (!channel || channel.status === 'removed') throw new AppError('channel_not_found', `no channel ${id}`);
      return channel;
    },

    async create(input: NewChannelInput, actor: Actor, id: string = newId()): Promise<Channel> {
      // No channel may point Parley's outgoing requests at a private or local address (SSRF).
      await deps.urlPolicy?.checkChannelConfig(input.config ?? {});
      const now = clock.now();
      await uow(async (tx) => {
        await tx.channels.create({
          id,
          brandId: input.brandId ?? null,
          platform: input.platform,
          name: input.name,
          config: input.config ?? {},
          sealedCredentials: input.credentials ? secrets.seal(JSON.stringify(input.credentials)) : null,
          ownAccountIds: input.ownAccountIds ?? [],
          now,
        });
        await recordAudit(tx, actor, now, 'channel.create', { type: 'channel', id }, { platform: input.platform, name: input.name });
      });
      return this.get(id);
    },

    async setStatus(id: string, status: 'active' | 'paused' | 'removed', actor: Actor): Promise<Channel | null> {
      await uow(async (tx) => {
        if (!(await tx.channels.setStatus(id, status, clock.now()))) throw new AppError('channel_not_found', `no channel ${id}`);
        await recordAudit(tx, actor, clock.now(), `channel.${status === 'active' ? 'resume' : status === 'paused' ? 'pause' : 'remove'}`, { type: 'channel', id });
      });
      return status === 'removed' ? null : this.get(id);
    },

    /**
     * Merge credentials an adapter rotated (refresh tokens, sessions) into the sealed ones, reading the stored row
     * in the same transaction so concurrent rotations of different fields do not undo each other. Returns the new
     * sealed value. Not audited: the platform rotated them, nobody changed the channel.
     */
    async updateCredentials(id: string, patch: Record<string, unknown>): Promise<string> {
      return uow(async (tx) => {
        const channel = await tx.channels.get(id);
        if (!channel) throw new AppError('channel_not_found', `no channel ${id}`);
        const current = channel.sealedCredentials ? (JSON.parse(secrets.open(channel.sealedCredentials)) as Record<string, unknown>) : {};
        const sealed = secrets.seal(JSON.stringify({ ...current, ...patch }));
        await tx.channels.setCredentials(id, sealed, clock.now());
        return sealed;
      });
    },

    /** Only the connector layer calls this, to build an adapter. */
    credentialsOf(channel: Channel): Record<string, unknown> {
      return channel.sealedCredentials ? (JSON.parse(secrets.open(channel.sealedCredentials)) as Record<string, unknown>) : {};
    },
  };
};

export type ChannelsService = ReturnType<typeof createChannelsService>;
