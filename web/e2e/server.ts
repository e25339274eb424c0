// Starts and stops the real Bifrost binary for the end-to-end suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 200;
const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_BYTES = 16 * 1024;

/** RunningServer is a started `bifrost serve` and the way to stop it. */
export interface RunningServer {
  baseURL: string;
  /** Where the server writes mail as .eml files (mail.smtp_url unset). */
  mailDir: string;
  stop: () => Promise<void>;
}

/** startBifrost runs `$BIFROST_BIN serve` and resolves once GET /ready answers 200. */
export async function startBifrost(): Promise<RunningServer> {
  const bin = process.env.BIFROST_BIN;
  if (!bin) {
    throw new Error('set BIFROST_BIN to a bifrost binary built with -tags embedweb');
  }

  const tempDirs: string[] = [];
  const tempDir = async (prefix: string) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
  };

  // Values already in the environment win, so CI can point the suite at other servers.
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The suite's own settings share the BIFROST_ prefix but mean nothing to the server.
  const suiteOwn = [
    'BIFROST_BIN',
    'BIFROST_E2E_VERBOSE',
    'BIFROST_E2E_BASE_URL',
    'BIFROST_E2E_MAIL_DIR',
    'BIFROST_E2E_OAUTH_URL',
    'BIFROST_E2E_OAUTH_CLIENT_ID',
    'BIFROST_E2E_OAUTH_CLIENT_SECRET',
    'BIFROST_DEV_API',
  ];
  for (const own of suiteOwn) delete env[own];
  const setDefault = async (name: string, value: () => string | Promise<string>) => {
    if (!env[name]) env[name] = await value();
  };
  await setDefault('BIFROST_HTTP_ADDR', async () => `127.0.0.1:${await freePort()}`);
  await setDefault('BIFROST_DATABASE_URL', () => 'postgres://postgres@127.0.0.1:5432/bifrost_e2e?sslmode=disable');
  await setDefault('BIFROST_DATABASE_AUTO_MIGRATE', () => 'true');
  // Fixed names: a standalone run reuses the queues and keys of the previous one instead of
  // leaving new ones behind. (`go tool task test` runs this suite from TestWebUIInChromium,
  // which gives it a database, queues and keys of its own and removes them afterwards.)
  await setDefault('BIFROST_RABBITMQ_PREFIX', () => 'e2e.');
  await setDefault('BIFROST_REDIS_PREFIX', () => 'e2e:');
  await setDefault('BIFROST_DATA_DIR', () => tempDir('bifrost-e2e-data-'));
  await setDefault('BIFROST_WORKSPACE_PATH', () => tempDir('bifrost-e2e-workspace-'));
  await setDefault('BIFROST_SECRET_KEY', () => randomBytes(32).toString('hex'));
  // The integrations journey connects through the suite's fake OAuth provider on plain HTTP.
  await setDefault('BIFROST_INTEGRATIONS_ALLOW_HTTP', () => 'true');

  const baseURL = baseURLFor(env.BIFROST_HTTP_ADDR!);
  // Providers send the browser back to <public_url>/api/integrations/callback: it must be this
  // server, not the default http://localhost:8000.
  await setDefault('BIFROST_HTTP_PUBLIC_URL', () => baseURL);
  const output = new OutputTail(OUTPUT_TAIL_BYTES);
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk));
  if (process.env.BIFROST_E2E_VERBOSE) {
    child.stdout!.pipe(process.stdout);
    child.stderr!.pipe(process.stderr);
  }
  const exited = waitForExit(child);

  const cleanTemp = async () => {
    await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
  };
  const stop = async () => {
    await stopProcess(child, exited);
    await cleanTemp();
  };

  try {
    await waitReady(baseURL, exited);
  } catch (err) {
    await stop();
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${msg}\n--- ${bin} serve output (tail) ---\n${output.text() || '(no output)'}`);
  }
  return { baseURL, mailDir: path.join(env.BIFROST_DATA_DIR!, 'mail'), stop };
}

/** freePort asks the kernel for a port that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

// "127.0.0.1:8000", ":8000", "0.0.0.0:8000" and "[::]:8000" all become a URL a client can dial.
function baseURLFor(addr: string): string {
  const i = addr.lastIndexOf(':');
  let host = i >= 0 ? addr.slice(0, i) : addr;
  const port = i >= 0 ? addr.slice(i + 1) : '80';
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  if (host === '[::]') host = '[::1]';
  return `http://${host}:${port}`;
}

async function waitReady(baseURL: string, exited: Promise<ExitInfo>): Promise<void> {
  let early: ExitInfo | undefined;
  void exited.then((info) => {
    early = info;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (early) {
      throw new Error(`bifrost serve exited before it was ready (${describeExit(early)})`);
    }
    try {
      const res = await fetch(`${baseURL}/ready`, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${body.slice(0, 500)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(READY_POLL_MS);
  }
  throw new Error(`bifrost serve was not ready at ${baseURL}/ready within ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function describeExit(info: ExitInfo): string {
  if (info.error) return `could not start it: ${info.error.message}`;
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}

async function stopProcess(child: ChildProcess, exited: Promise<ExitInfo>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_GRACE_MS).then(() => true)]);
  if (timedOut) {
    console.warn(`bifrost serve did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM; sending SIGKILL`);
    child.kill('SIGKILL');
    await exited;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** OutputTail keeps the last bytes a process wrote, for error messages. */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks).toString('utf8');
    return all.length > this.limit ? all.slice(-this.limit) : all;
  }
}
