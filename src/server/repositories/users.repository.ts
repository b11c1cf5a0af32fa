import type { Selectable } from 'kysely';
import type { UsersTable } from '../db/schema.js';
import type { Executor } from './executor.js';

export interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  capacity: number;
  createdAt: number;
  disabled: boolean;
  lastSeenAt: number | null;
}

const toUser = (r: Selectable<UsersTable>): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  status: r.status,
  capacity: r.capacity,
  createdAt: Number(r.created_at),
  disabled: r.disabled_at !== null,
  lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
});

export interface AgentProfile extends User {
  teamIds: string[];
  skills: string[];
}

export const createUsersRepository = (db: Executor) => ({
  async create(u: { id: string; email: string; name: string; role: string; passwordHash: string | null; status?: string; capacity?: number; now: number }): Promise<User> {
    await db
      .insertInto('users')
      .values({ id: u.id, email: u.email, name: u.name, role: u.role, password_hash: u.passwordHash, status: u.status ?? 'offline', capacity: u.capacity ?? 10, created_at: u.now, updated_at: u.now })
      .execute();
    return (await this.get(u.id)) as User;
  },

  async get(id: string): Promise<User | null> {
    const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  },

  async findByEmailWithHash(email: string): Promise<(User & { passwordHash: string | null }) | null> {
    const r = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
  },

  async passwordHash(id: string): Promise<string | null> {
    const r = await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
    return r?.password_hash ?? null;
  },

  async list(): Promise<User[]> {
    return (await db.selectFrom('users').selectAll().orderBy('name').execute()).map(toUser);
  },

  async update(id: string, patch: { name?: string; role?: string; status?: string; capacity?: number; passwordHash?: string; disabledAt?: number | null }, now: number): Promise<boolean> {
    const r = await db
      .updateTable('users')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
        ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
        ...(patch.disabledAt !== undefined ? { disabled_at: patch.disabledAt } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Agents who could take work, with teams and skills, for routing. */
  async agentsForRouting(): Promise<AgentProfile[]> {
    const users = await db.selectFrom('users').selectAll().where('role', 'in', ['agent', 'supervisor']).where('disabled_at', 'is', null).orderBy('id').execute();
    const members = await db.selectFrom('team_members').select(['team_id', 'user_id']).execute();
    const skills = await db.selectFrom('user_skills').innerJoin('skills', 'skills.id', 'user_skills.skill_id').select(['user_skills.user_id', 'skills.name']).execute();
    return users.map((u) => ({
      ...toUser(u),
      teamIds: members.filter((m) => m.user_id === u.id).map((m) => m.team_id),
      skills: skills.filter((s) => s.user_id === u.id).map((s) => s.name),
    }));
  },

  async setSkills(userId: string, skillIds: readonly string[]): Promise<void> {
    await db.deleteFrom('user_skills').where('user_id', '=', userId).execute();
    if (skillIds.length > 0) await db.insertInto('user_skills').values(skillIds.map((skill_id) => ({ user_id: userId, skill_id, level: 1 }))).execute();
  },

  async setTeams(userId: string, teamIds: readonly string[]): Promise<void> {
    await db.deleteFrom('team_members').where('user_id', '=', userId).execute();
    if (teamIds.length > 0) await db.insertInto('team_members').values(teamIds.map((team_id) => ({ team_id, user_id: userId }))).execute();
  },

  async teamsAndSkillsOf(userId: string): Promise<{ teamIds: string[]; skills: string[] }> {
    const teams = await db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute();
    const skills = await db.selectFrom('user_skills').innerJoin('skills', 'skills.id', 'user_skills.skill_id').select('skills.name').where('user_skills.user_id', '=', userId).execute();
    return { teamIds: teams.map((t) => t.team_id), skills: skills.map((s) => s.name) };
  },
});

export type UsersRepository = ReturnType<typeof createUsersRepository>;
