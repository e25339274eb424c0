import { startBifrost } from './server';

// Carries the server address to the workers; fixtures.ts reads it as baseURL.
const BASE_URL_ENV = 'BIFROST_E2E_BASE_URL';

// Starts one server for the whole run; the returned function is Playwright's global teardown.
export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startBifrost();
  process.env[BASE_URL_ENV] = server.baseURL;
  return async () => {
    await server.stop();
  };
}
