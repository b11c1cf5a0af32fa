/** The "Acme Telecom" demo workspace: brand, teams, people with skills, and one channel per simulated platform. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Platform } from '../../shared/envelope.js';
import { systemActor, type Role } from '../../shared/permissions.js';
import type { ParleyApp } from '../app.js';
import { newId } from '../platform/ids.js';

export interface DemoLogin {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** The brand's own account ids per platform: the simulator writes replies to these, ingest marks our own posts as outbound. */
export const demoAccounts = {
  x: { id: '1500000000000000001', username: 'AcmeTelecom', name: 'Acme Telecom' },
  reddit: { id: 't2_acmetelecom', username: 'AcmeTelecom_Support' },
  mastodon: { id: '109000000000000001', acct: 'acme@social.example' },
  facebook: { id: '100200300400500' },
  email: { address: 'support@acmetelecom.example' },
} as const;

/** The private channels (web chat, feedback form, phone) came later: a workspace seeded before them has none. */
export type DemoChannels = Record<'x' | 'email' | 'facebook' | 'reddit' | 'mastodon', string> & Partial<Record<'chat' | 'form' | 'phone', string>>;

const people: { name: string; email: string; role: Role; teams: string[]; skills: string[] }[] = [
  { name: 'Ada Admin', email: 'admin@acme.test', role: 'admin', teams: [], skills: [] },
  { name: 'Sam Supervisor', email: 'supervisor@acme.test', role: 'supervisor', teams: ['Care', 'Billing', 'Social Marketing'], skills: ['lang:en', 'lang:es'] },
  { name: 'Alex Rivera', email: 'alex@acme.test', role: 'agent', teams: ['Care'], skills: ['lang:en', 'lang:es', 'channel:x', 'intent:outage'] },
  { name: 'Bea Okafor', email: 'bea@acme.test', role: 'agent', teams: ['Care'], skills: ['lang:en', 'channel:email', 'channel:reddit', 'intent:technical'] },
  { name: 'Carmen López', email: 'carmen@acme.test', role: 'agent', teams: ['Billing'], skills: ['lang:es', 'lang:en', 'intent:billing', 'intent:refund'] },
  { name: 'Dev Patel', email: 'dev@acme.test', role: 'agent', teams: ['Billing'], skills: ['lang:en', 'intent:billing', 'intent:cancellation', 'channel:email'] },
  { name: 'Mia Social', email: 'mia@acme.test', role: 'agent', teams: ['Social Marketing'], skills: ['lang:en', 'channel:x', 'channel:mastodon', 'intent:praise'] },
  { name: 'Nora Analyst', email: 'analyst@acme.test', role: 'analyst', teams: [], skills: [] },
  { name: 'Omar Moderator', email: 'moderator@acme.test', role: 'moderator', teams: [], skills: ['lang:en'] },
  { name: 'Pia Approver', email: 'approver@acme.test', role: 'approver', teams: [], skills: [] },
];

const channelSpecs: { key: keyof DemoChannels; platform: Platform; name: string; ownAccountIds: string[]; config: Record<string, unknown>; optional?: boolean }[] = [
  { key: 'x', platform: 'x', name: 'Acme Telecom on X', ownAccountIds: [demoAccounts.x.id], config: { handle: demoAccounts.x.username, simulated: true } },
  { key: 'email', platform: 'email', name: 'support@acmetelecom.example', ownAccountIds: [demoAccounts.email.address], config: { address: demoAccounts.email.address, simulated: true } },
  { key: 'facebook', platform: 'facebook', name: 'Acme Telecom Facebook Page', ownAccountIds: [demoAccounts.facebook.id], config: { pageId: demoAccounts.facebook.id, simulated: true } },
  { key: 'reddit', platform: 'reddit', name: 'r/AcmeTelecom', ownAccountIds: [demoAccounts.reddit.id, demoAccounts.reddit.username], config: { subreddits: ['AcmeTelecom'], simulated: true } },
  { key: 'mastodon', platform: 'mastodon', name: 'Acme on Mastodon', ownAccountIds: [demoAccounts.mastodon.id], config: { instance: 'https://social.example', simulated: true } },
  { key: 'chat', platform: 'chat', name: 'Website chat', ownAccountIds: [], config: { allowedOrigins: ['https://www.acmetelecom.example'], simulated: true }, optional: true },
  { key: 'form', platform: 'form', name: 'Contact form', ownAccountIds: [], config: { simulated: true }, optional: true },
  { key: 'phone', platform: 'phone', name: 'Support hotline', ownAccountIds: [], config: { defaultCountry: 'US', simulated: true }, optional: true },
];

const loginsFile = (dataDir: string): string => path.join(dataDir, 'demo-logins.json');

/** True when an earlier run seeded the demo here, so a restart keeps the demo traffic going. */
export const wasDemoSeeded = (dataDir: string): boolean => existsSync(loginsFile(dataDir));

/** Finds the demo channels by name (they may have been created by an earlier run). */
export const findDemoChannels = async (app: ParleyApp): Promise<DemoChannels | null> => {
  const list = await app.repos.channels.list();
  const found: Partial<DemoChannels> = {};
  for (const spec of channelSpecs) {
    const channel = list.find((c) => c.name === spec.name && c.platform === spec.platform && c.status !== 'removed');
    if (!channel && spec.optional) continue;
    if (!channel) return null;
    found[spec.key] = channel.id;
  }
  return found as DemoChannels;
};

/**
 * Seeds the workspace once: when any user exists it only reports what an earlier seed created.
 * Passwords are random per install and kept in the data directory (mode 0600) so `start` can print them again.
 */
export const seedDemoWorkspace = async (app: ParleyApp): Promise<{ created: boolean; logins: DemoLogin[]; channels: DemoChannels | null }> => {
  const file = loginsFile(app.config.dataDir);
  if ((await app.repos.users.list()).length > 0) {
    const logins = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoLogin[]) : [];
    return { created: false, logins, channels: await findDemoChannels(app) };
  }
  const actor = systemActor('demo-seed');
  const now = app.clock.now();
  const brandId = newId();
  await app.store.db.insertInto('brands').values({ id: brandId, name: 'Acme Telecom', slug: 'acme-telecom', official_handles: JSON.stringify(['@AcmeTelecom', 'u/AcmeTelecom_Support', '@acme@social.example']), created_at: now }).execute();
  const teams = new Map<string, string>();
  for (const [name, kind] of [['Care', 'service'], ['Billing', 'service'], ['Social Marketing', 'marketing']] as const) teams.set(name, (await app.services.teams.create({ name, kind }, actor)).id);

  const logins: DemoLogin[] = [];
  for (const p of people) {
    const password = `demo-${randomBytes(6).toString('base64url')}`;
    const user = await app.services.users.create({ email: p.email, name: p.name, role: p.role, password, skills: p.skills, teamIds: p.teams.map((t) => teams.get(t) as string) }, actor);
    if (p.role === 'agent' || p.role === 'supervisor') await app.repos.users.update(user.id, { status: 'online' }, now);
    logins.push({ email: p.email, name: p.name, role: p.role, password });
  }
  const channels: Partial<DemoChannels> = {};
  for (const spec of channelSpecs) channels[spec.key] = (await app.services.channels.create({ platform: spec.platform, name: spec.name, brandId, config: spec.config, ownAccountIds: spec.ownAccountIds }, actor)).id;
  await app.refreshMarketingTeam();
  mkdirSync(app.config.dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(logins, null, 2)}\n`, { mode: 0o600 });
  return { created: true, logins, channels: channels as DemoChannels };
};

export const formatLogins = (logins: readonly DemoLogin[]): string =>
  logins.map((l) => `  ${l.role.padEnd(10)} ${l.email.padEnd(24)} ${l.password}`).join('\n');
