import { useQuery } from '@tanstack/react-query';
import { getReady } from './client';

/** READY_POLL_MS is how often the status page asks the server again. */
export const READY_POLL_MS = 5000;

/** useReady polls GET /ready; the last answer stays on screen between polls. */
export function useReady() {
  return useQuery({
    queryKey: ['ready'],
    queryFn: ({ signal }) => getReady(signal),
    refetchInterval: READY_POLL_MS,
    // The poll itself retries every few seconds; one quick retry hides a single dropped request.
    retry: 1,
    retryDelay: 300,
  });
}
