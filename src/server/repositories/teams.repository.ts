import type { Executor } from './executor.js';

export interface Team {
  id: string;
  name: string;
  kind: string;
  memberIds: string[];
}

export interface Skill {
  id: string;
  name: string;
  kind: string;
}

export const createTeamsRepository = (db: Executor) => ({
  async create(t: { id: string; name: string; kind: string; now: number }): Promise<void> {
    await db.insertInto('teams').values({ id: t.id, name: t.name, kind: t.kind, created_at: t.now }).execute();
  },

  async list(): Promise<Team[]> {
    const teams = await db.selectFrom('teams').selectAll().orderBy('name').execute();
    const members = await db.selectFrom('team_members').select(['team_id', 'user_id']).execute();
    return teams.map((t) => ({ id: t.id, name: t.name, kind: t.kind, memberIds: members.filter((m) => m.team_id === t.id).map((m) => m.user_id) }));
  },

  async get(id: string): Promise<Team | null> {
    return (await this.list()).find((t) => t.id === id) ?? null;
  },

  async findByName(name: string): Promise<Team | null> {
    const t = await db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirst();
    return t ? this.get(t.id) : null;
  },

  async createSkill(s: Skill): Promise<void> {
    await db.insertInto('skills').values(s).onConflict((oc) => oc.column('name').doNothing()).execute();
  },

  async listSkills(): Promise<Skill[]> {
    return db.selectFrom('skills').selectAll().orderBy('kind').orderBy('name').execute();
  },
});

export type TeamsRepository = ReturnType<typeof createTeamsRepository>;
