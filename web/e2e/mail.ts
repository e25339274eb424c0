// Reads the mail the server under test wrote as .eml files (mail.smtp_url unset), from the folder
// the Go test names in BIFROST_E2E_MAIL_DIR. Nothing else in the suite touches that variable.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const MAIL_DIR_ENV = 'BIFROST_E2E_MAIL_DIR';
const POLL_MS = 200;

/** Mail is one message read back from the folder. */
export interface Mail {
  file: string;
  to: string;
  subject: string;
  /** The decoded text/plain part. */
  text: string;
}

/** setDefaultMailDir points the helpers at dir unless the environment names a folder (npm run e2e). */
export function setDefaultMailDir(dir: string): void {
  process.env[MAIL_DIR_ENV] ??= dir;
}

function mailDir(): string {
  const dir = process.env[MAIL_DIR_ENV];
  if (!dir) {
    throw new Error(`${MAIL_DIR_ENV} is unset: the identity journey reads the invitation email from the server's mail folder (TestWebUIInChromium sets it)`);
  }
  return dir;
}

/**
 * waitForMail polls the mail folder until a message to `to` arrives (its file name holds the
 * address with "@" as "_", or its To: header names it), and returns the newest one.
 */
export async function waitForMail(to: string, timeoutMs = 10_000): Promise<Mail> {
  const dir = mailDir();
  const fileKey = to.replace(/[^A-Za-z0-9.-]/g, '_');
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  for (;;) {
    seen = await listMail(dir);
    // Names start with a UTC timestamp: the last match is the newest message.
    for (const name of [...seen].reverse()) {
      const raw = await readFile(path.join(dir, name), 'utf8');
      const mail = parseMail(name, raw);
      if (name.includes(fileKey) || mail.to.toLowerCase().includes(to.toLowerCase())) return mail;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`no email to ${to} arrived in ${dir} within ${timeoutMs / 1000} s (files there: ${seen.join(', ') || 'none'})`);
}

async function listMail(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** linkPath finds the first link to pathname in a mail and returns its path and query. */
export function linkPath(mail: Mail, pathname: string): string {
  const re = new RegExp(`https?://[^\\s"<>]+${pathname.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\?[^\\s"<>]+`);
  const found = re.exec(mail.text)?.[0];
  if (!found) throw new Error(`the email "${mail.subject}" (${mail.file}) has no ${pathname} link; its text:\n${mail.text}`);
  const url = new URL(found);
  return url.pathname + url.search;
}

// ---- A small RFC 5322 / MIME reader: enough for the server's multipart/alternative mail. ----

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = new Map<string, string>();
  // Folded header lines continue with whitespace.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, body };
}

/** decodeQuotedPrintable undoes quoted-printable: soft line breaks, then =XX bytes as UTF-8. */
export function decodeQuotedPrintable(s: string): string {
  const joined = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodePart(headers: Map<string, string>, body: string): string {
  const enc = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

function parseMail(file: string, raw: string): Mail {
  const { headers, body } = splitHead(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  let text = '';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary && type.toLowerCase().startsWith('multipart/')) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitHead(chunk.replace(/^\r?\n/, ''));
      if ((part.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain')) {
        text = decodePart(part.headers, part.body);
        break;
      }
    }
  } else {
    text = decodePart(headers, body);
  }
  return { file, to: headers.get('to') ?? '', subject: headers.get('subject') ?? '', text };
}
