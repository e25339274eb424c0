import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { flushSync } from 'react-dom';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { newQueryClient } from './queryClient';
import { routes } from './routes';

// Lets a navigation commit at once when asked to ({ flushSync: true }): signing out needs it.
const flushRouterUpdate = (fn: () => unknown): undefined => {
  flushSync(fn);
};

interface AppProps {
  /** Tests pass their own client and router; the real app builds both once. */
  queryClient?: QueryClient;
  router?: ReturnType<typeof createBrowserRouter>;
}

/** App wires server state (React Query) and routing around the pages. */
export function App({ queryClient, router }: AppProps) {
  const [client] = useState(() => queryClient ?? newQueryClient());
  const [appRouter] = useState(() => router ?? createBrowserRouter(routes));
  return (
    <QueryClientProvider client={client}>
      <RouterProvider router={appRouter} flushSync={flushRouterUpdate} />
    </QueryClientProvider>
  );
}
