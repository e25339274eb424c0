import { QueryClient } from '@tanstack/react-query';

/** newQueryClient builds the React Query cache shared by the whole app. */
export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 2000,
        refetchOnWindowFocus: true,
      },
    },
  });
}
