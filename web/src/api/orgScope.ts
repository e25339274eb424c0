// The organization a platform admin chose in the header's switcher. It lives in localStorage so
// a reload keeps it; the API client reads it at request time and sends X-Organization-Id.
// Organization users never have one: the server answers 403 when they name another organization.

const STORAGE_KEY = 'bifrost.organization';

type Listener = () => void;
const listeners = new Set<Listener>();

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    // Some privacy settings make localStorage throw; the choice then lasts until reload only.
    return undefined;
  }
}

let memoryValue: string | null = null;

/** getSelectedOrganization returns the chosen organization id, or null for "All organizations". */
export function getSelectedOrganization(): string | null {
  const s = storage();
  return s ? s.getItem(STORAGE_KEY) : memoryValue;
}

/** setSelectedOrganization stores the choice (null clears it) and tells subscribers. */
export function setSelectedOrganization(id: string | null): void {
  if (id === getSelectedOrganization()) return;
  const s = storage();
  if (s) {
    if (id) s.setItem(STORAGE_KEY, id);
    else s.removeItem(STORAGE_KEY);
  } else {
    memoryValue = id;
  }
  for (const l of listeners) l();
}

/** subscribeSelectedOrganization calls listener on every change; it returns the unsubscribe. */
export function subscribeSelectedOrganization(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
