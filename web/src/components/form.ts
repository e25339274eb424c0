import type { FormEvent } from 'react';

/** formText reads the named text fields of a submitted form. */
export function formText(e: FormEvent<HTMLFormElement>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(e.currentTarget)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}
