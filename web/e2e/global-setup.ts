import { setDefaultMailDir } from './mail';
import { startBifrost } from './server';

// Carries the server address to the workers; fixtures.ts reads it as baseURL.
const BASE_URL_ENV = 'BIFROST_E2E_BASE_URL';

// Starts one server for the whole run; the returned function is Playwright's global teardown.
// When BIFROST_E2E_BASE_URL is already set, a server is running (the Go test TestWebUIInChromium
// starts one on its own database, queues and keys, and removes them afterwards): use it.
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env[BASE_URL_ENV]) {
    return async () => {};
  }
  const server = await startBifrost();
  process.env[BASE_URL_ENV] = server.baseURL;
  setDefaultMailDir(server.mailDir);
  return async () => {
    await server.stop();
  };
}
