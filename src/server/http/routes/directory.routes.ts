import { z } from 'zod';
import { channelSchema, conversationSchema, customerSchema, idSchema, identitySchema, page, teamSchema, userSchema } from '../../../shared/api.js';
import { platformSchema } from '../../../shared/envelope.js';
import { roles } from '../../../shared/permissions.js';
import type { ChannelsService } from '../../services/channels.service.js';
import type { ChannelRuntime } from '../../services/channel-runtime.service.js';
import type { CustomersService } from '../../services/customers.service.js';
import type { TeamsService } from '../../services/teams.service.js';
import type { UsersService } from '../../services/users.service.js';
import { actorOf } from '../auth.js';
import { toChannelDto, toConversationDto, toCustomerDto, toIdentityDto, toUserDto } from '../mappers.js';
import type { App } from '../types.js';

const params = z.strictObject({ id: idSchema });
const channelHealthSchema = z.object({
  channelId: z.string(),
  platform: z.string(),
  name: z.string(),
  status: z.string(),
  mode: z.enum(['stream', 'poll', 'webhook']).nullable(),
  running: z.boolean(),
  connected: z.boolean().nullable(),
  lagSeconds: z.number().nullable(),
  restarts: z.number(),
  lastEventAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  heldDeliveries: z.number(),
});
const skillName = z.string().min(1).max(100).regex(/^[\w:*.-]+$/, 'letters, digits and : * . - only');

/** Users, teams, channels and customers: the workspace's directory. */
export const registerDirectoryRoutes = (app: App, deps: { users: UsersService; teams: TeamsService; channels: ChannelsService; customers: CustomersService; runtime?: Pick<ChannelRuntime, 'test' | 'health' | 'releaseHeld'> }) => {
  app.get('/api/v1/users', { config: { auth: 'users:read' }, schema: { tags: ['users'], summary: 'List users', response: { 200: z.object({ items: z.array(userSchema) }) } } }, async () => ({ items: (await deps.users.list()).map(toUserDto) }));

  app.post('/api/v1/users', {
    config: { auth: 'users:manage' },
    schema: {
      tags: ['users'],
      summary: 'Create a user',
      body: z.strictObject({ email: z.email().max(320), name: z.string().min(1).max(200), role: z.enum(roles), password: z.string().min(10).max(1024).optional(), capacity: z.number().int().min(0).max(1000).optional(), teamIds: z.array(idSchema).max(50).optional(), skills: z.array(skillName).max(100).optional() }),
      response: { 201: userSchema },
    },
  }, async (request, reply) => reply.code(201).send(toUserDto(await deps.users.create(request.body, actorOf(request)))));

  app.patch('/api/v1/users/:id', {
    config: { auth: 'users:manage' },
    schema: { tags: ['users'], summary: 'Change a user\'s name, role, capacity, teams, skills or disable them', params, body: z.strictObject({ name: z.string().min(1).max(200).optional(), role: z.enum(roles).optional(), capacity: z.number().int().min(0).max(1000).optional(), disabled: z.boolean().optional(), teamIds: z.array(idSchema).max(50).optional(), skills: z.array(skillName).max(100).optional() }), response: { 200: userSchema } },
  }, async (request) => toUserDto(await deps.users.update(request.params.id, request.body, actorOf(request))));

  app.put('/api/v1/me/status', {
    config: { auth: 'self' },
    schema: { tags: ['users'], summary: 'Set your availability for routing', body: z.strictObject({ status: z.enum(['online', 'away', 'offline']) }), response: { 200: userSchema } },
  }, async (request) => toUserDto(await deps.users.setStatus(actorOf(request), request.body.status)));

  app.get('/api/v1/teams', { config: { auth: 'teams:read' }, schema: { tags: ['teams'], summary: 'List teams', response: { 200: z.object({ items: z.array(teamSchema) }) } } }, async () => ({ items: await deps.teams.list() }));

  app.post('/api/v1/teams', {
    config: { auth: 'teams:manage' },
    schema: { tags: ['teams'], summary: 'Create a team', body: z.strictObject({ name: z.string().min(1).max(100), kind: z.enum(['service', 'marketing']).default('service') }), response: { 201: teamSchema } },
  }, async (request, reply) => reply.code(201).send(await deps.teams.create(request.body, actorOf(request))));

  app.get('/api/v1/channels', { config: { auth: 'channels:read' }, schema: { tags: ['channels'], summary: 'List channels with health', response: { 200: z.object({ items: z.array(channelSchema) }) } } }, async () => ({ items: (await deps.channels.list()).map(toChannelDto) }));

  app.post('/api/v1/channels', {
    config: { auth: 'channels:manage' },
    schema: {
      tags: ['channels'],
      summary: 'Add a channel; credentials are encrypted at rest and never returned',
      body: z.strictObject({ platform: platformSchema, name: z.string().min(1).max(200), brandId: idSchema.nullable().optional(), config: z.record(z.string(), z.unknown()).optional(), credentials: z.record(z.string(), z.unknown()).nullable().optional(), ownAccountIds: z.array(z.string().max(256)).max(20).optional() }),
      response: { 201: channelSchema },
    },
  }, async (request, reply) => reply.code(201).send(toChannelDto(await deps.channels.create(request.body, actorOf(request)))));

  app.post('/api/v1/channels/:id/status', {
    config: { auth: 'channels:manage' },
    schema: { tags: ['channels'], summary: 'Pause, resume or remove a channel', params, body: z.strictObject({ status: z.enum(['active', 'paused', 'removed']) }), response: { 200: channelSchema.nullable() } },
  }, async (request) => {
    const channel = await deps.channels.setStatus(request.params.id, request.body.status, actorOf(request));
    // What the channel held while paused goes in now, ahead of new deliveries (the scheduler's beat is the fallback).
    if (request.body.status === 'active') await deps.runtime?.releaseHeld();
    return channel ? toChannelDto(channel) : null;
  });

  const runtime = deps.runtime;
  if (runtime) {
    app.post('/api/v1/channels/:id/test', {
      config: { auth: 'channels:manage' },
      schema: { tags: ['channels'], summary: 'Check the channel\'s credentials against its platform; the outcome becomes the channel\'s health', params, response: { 200: z.object({ ok: z.boolean(), detail: z.string() }) } },
    }, async (request) => runtime.test(request.params.id));

    app.get('/api/v1/channels/health', {
      config: { auth: 'channels:read' },
      schema: {
        tags: ['channels'],
        summary: 'Per-channel health: how it takes messages in, runner state, last event, last error, lag',
        response: { 200: z.object({ items: z.array(channelHealthSchema) }) },
      },
    }, async () => ({
      items: (await runtime.health()).map((h) => ({
        ...h,
        lastEventAt: h.lastEventAt === null ? null : new Date(h.lastEventAt).toISOString(),
        lastErrorAt: h.lastErrorAt === null ? null : new Date(h.lastErrorAt).toISOString(),
      })),
    }));
  }

  app.get('/api/v1/customers', {
    config: { auth: 'customers:read' },
    schema: { tags: ['customers'], summary: 'List customers', querystring: z.strictObject({ q: z.string().max(200).optional(), cursor: idSchema.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: page(customerSchema) } },
  }, async (request) => {
    const items = await deps.customers.list(request.query.cursor ?? null, request.query.limit + 1, request.query.q);
    const pageItems = items.slice(0, request.query.limit);
    return { items: pageItems.map(toCustomerDto), nextCursor: items.length > request.query.limit ? (pageItems[pageItems.length - 1]?.id ?? null) : null };
  });

  app.get('/api/v1/customers/:id', {
    config: { auth: 'customers:read' },
    schema: { tags: ['customers'], summary: 'Customer 360: profile, identities and conversations on every channel', params, response: { 200: z.object({ customer: customerSchema, identities: z.array(identitySchema), conversations: z.array(conversationSchema) }) } },
  }, async (request) => {
    const view = await deps.customers.get(request.params.id);
    return { customer: toCustomerDto(view.customer), identities: view.identities.map(toIdentityDto), conversations: view.conversations.map(toConversationDto) };
  });

  app.patch('/api/v1/customers/:id/fields', {
    config: { auth: 'customers:write' },
    schema: { tags: ['customers'], summary: 'Set custom fields', params, body: z.record(z.string().max(100), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])), response: { 200: z.object({ customer: customerSchema }) } },
  }, async (request) => ({ customer: toCustomerDto((await deps.customers.updateFields(request.params.id, request.body, actorOf(request))).customer) }));
};
