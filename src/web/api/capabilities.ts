import { useQuery } from '@tanstack/react-query';

/**
 * Which API routes this server has, read once from its OpenAPI document. Screens whose API is not deployed stay
 * hidden instead of showing made-up data; the document is public and cached for the session.
 */
export const useCapabilities = () => {
  const query = useQuery({
    queryKey: ['capabilities'],
    queryFn: async () => {
      const response = await fetch('/api/v1/openapi.json', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) return new Set<string>();
      const document = (await response.json()) as { paths?: Record<string, Record<string, unknown>> };
      const routes = new Set<string>();
      for (const [path, methods] of Object.entries(document.paths ?? {})) for (const method of Object.keys(methods)) routes.add(`${method.toUpperCase()} ${path}`);
      return routes;
    },
    staleTime: Infinity,
    retry: 1,
  });
  /** `has('GET', '/api/v1/incidents')`; path parameters in OpenAPI form, e.g. `/api/v1/customers/{id}`. */
  const has = (method: string, path: string): boolean => query.data?.has(`${method.toUpperCase()} ${path}`) ?? false;
  return { has, isLoaded: query.isSuccess };
};
