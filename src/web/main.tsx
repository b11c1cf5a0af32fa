import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { isApiError } from './api/client.js';
import { sessionKey } from './features/auth/session.js';
import { App } from './routes/app.js';
import './styles.css';

const client: QueryClient = new QueryClient({
  // An expired session anywhere sends the agent back to the sign-in form instead of a wall of errors.
  queryCache: new QueryCache({
    onError: (error) => {
      if (isApiError(error) && error.problem.status === 401) client.setQueryData(sessionKey, null);
    },
  }),
  defaultOptions: {
    queries: {
      // A 4xx will not fix itself; retry only network and server failures.
      retry: (count, error) => count < 2 && !(isApiError(error) && error.problem.status >= 400 && error.problem.status < 500),
      refetchOnWindowFocus: true,
    },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
