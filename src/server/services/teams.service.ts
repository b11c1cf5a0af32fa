import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { Team } from '../repositories/teams.repository.js';
import { recordAudit } from './audit.js';

export const createTeamsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => ({
  list: (): Promise<Team[]> => deps.repos.teams.list(),

  async create(input: { name: string; kind: 'service' | 'marketing' }, actor: Actor): Promise<Team> {
    const id = newId();
    await deps.uow(async (tx) => {
      if (await tx.teams.findByName(input.name)) throw new AppError('conflict', `a team named ${input.name} exists`, 'name');
      await tx.teams.create({ id, name: input.name, kind: input.kind, now: deps.clock.now() });
      await recordAudit(tx, actor, deps.clock.now(), 'team.create', { type: 'team', id }, input);
    });
    return (await deps.repos.teams.get(id)) as Team;
  },

  listSkills: () => deps.repos.teams.listSkills(),
});

export type TeamsService = ReturnType<typeof createTeamsService>;
