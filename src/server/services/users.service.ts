import type { Actor, Role } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { hashPassword } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { User } from '../repositories/users.repository.js';
import { recordAudit } from './audit.js';

export interface UserView extends User {
  teamIds: string[];
  skills: string[];
}

export interface NewUserInput {
  email: string;
  name: string;
  role: Role;
  password?: string | null;
  capacity?: number;
  teamIds?: string[];
  skills?: string[];
}

export const createUsersService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { repos, uow, clock } = deps;

  const view = async (user: User): Promise<UserView> => ({ ...user, ...(await repos.users.teamsAndSkillsOf(user.id)) });

  /** Skill names are created on first use so admins can type them freely. */
  const skillIds = async (tx: Repositories, names: readonly string[]): Promise<string[]> => {
    const existing = await tx.teams.listSkills();
    const ids: string[] = [];
    for (const name of names) {
      let skill = existing.find((s) => s.name === name);
      if (!skill) {
        skill = { id: newId(), name, kind: name.includes(':') ? (name.split(':')[0] as string) : 'topic' };
        await tx.teams.createSkill(skill);
        existing.push(skill);
      }
      ids.push(skill.id);
    }
    return ids;
  };

  return {
    async create(input: NewUserInput, actor: Actor): Promise<UserView> {
      const email = input.email.trim().toLowerCase();
      const passwordHash = input.password ? await hashPassword(input.password) : null;
      const id = newId();
      await uow(async (tx) => {
        if (await tx.users.findByEmailWithHash(email)) throw new AppError('email_taken', `a user with email ${email} exists`, 'email');
        await tx.users.create({ id, email, name: input.name, role: input.role, passwordHash, capacity: input.capacity ?? 10, now: clock.now() });
        if (input.teamIds?.length) await tx.users.setTeams(id, input.teamIds);
        if (input.skills?.length) await tx.users.setSkills(id, await skillIds(tx, input.skills));
        await recordAudit(tx, actor, clock.now(), 'user.create', { type: 'user', id }, { email, role: input.role });
      });
      return view((await repos.users.get(id)) as User);
    },

    async list(): Promise<UserView[]> {
      const users = await repos.users.list();
      const agents = new Map((await repos.users.agentsForRouting()).map((a) => [a.id, a]));
      return Promise.all(users.map(async (u) => { const a = agents.get(u.id); return a ? { ...u, teamIds: a.teamIds, skills: a.skills } : view(u); }));
    },

    async get(id: string): Promise<UserView> {
      const user = await repos.users.get(id);
      if (!user) throw new AppError('user_not_found', `no user ${id}`);
      return view(user);
    },

    async update(id: string, patch: { name?: string; role?: Role; capacity?: number; disabled?: boolean; teamIds?: string[]; skills?: string[] }, actor: Actor): Promise<UserView> {
      await uow(async (tx) => {
        const before = await tx.users.get(id);
        if (!before) throw new AppError('user_not_found', `no user ${id}`);
        const now = clock.now();
        await tx.users.update(id, { name: patch.name, role: patch.role, capacity: patch.capacity, ...(patch.disabled === undefined ? {} : { disabledAt: patch.disabled ? now : null }) }, now);
        if (patch.teamIds) await tx.users.setTeams(id, patch.teamIds);
        if (patch.skills) await tx.users.setSkills(id, await skillIds(tx, patch.skills));
        if (patch.disabled) await tx.auth.deleteSessionsOf(id);
        const action = patch.role && patch.role !== before.role ? 'user.role_change' : 'user.update';
        await recordAudit(tx, actor, now, action, { type: 'user', id }, { ...patch, previousRole: before.role });
      });
      return this.get(id);
    },

    async setStatus(actor: Actor, status: 'online' | 'away' | 'offline'): Promise<UserView> {
      await repos.users.update(actor.userId, { status }, clock.now());
      return this.get(actor.userId);
    },
  };
};

export type UsersService = ReturnType<typeof createUsersService>;
