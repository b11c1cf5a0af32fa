import { useQuery } from '@tanstack/react-query';
import { api, isApiError } from './client.js';
import type { ChannelDto, CustomerDto, TeamDto, UserDto } from './types.js';

const directoryStale = 5 * 60_000;

/** A customer's profile, cached: many inbox rows share a few customers. */
export const useCustomer = (id: string | null) =>
  useQuery({
    queryKey: ['customer', id],
    queryFn: () => api.get<{ customer: CustomerDto }>(`/customers/${encodeURIComponent(id ?? '')}`).then((r) => r.customer),
    enabled: id !== null,
    staleTime: directoryStale,
  });

export const useUsers = () => useQuery({ queryKey: ['users'], queryFn: () => api.get<{ items: UserDto[] }>('/users').then((r) => r.items), staleTime: directoryStale });

/** Channels are admin/supervisor-only: an agent gets an empty list rather than an error. */
export const useChannels = () =>
  useQuery({
    queryKey: ['channels'],
    queryFn: async () => {
      try {
        return (await api.get<{ items: ChannelDto[] }>('/channels')).items;
      } catch (error) {
        if (isApiError(error) && error.problem.status === 403) return [];
        throw error;
      }
    },
    staleTime: directoryStale,
  });

export const useTeams = () => useQuery({ queryKey: ['teams'], queryFn: () => api.get<{ items: TeamDto[] }>('/teams').then((r) => r.items), staleTime: directoryStale });
