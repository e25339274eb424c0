// Human names of the components /ready reports, in display order. A component the server adds
// later still shows, under its own name, after these.
export const COMPONENT_LABELS: Record<string, string> = {
  database: 'Database (PostgreSQL)',
  broker: 'Message broker (RabbitMQ)',
  redis: 'Cache (Redis)',
};

const ORDER = Object.keys(COMPONENT_LABELS);

/** componentLabel names a component for people. */
export function componentLabel(name: string): string {
  return COMPONENT_LABELS[name] ?? name;
}

/** sortComponentNames puts the known components first, in their fixed order. */
export function sortComponentNames(names: string[]): string[] {
  const rank = (n: string) => {
    const i = ORDER.indexOf(n);
    return i === -1 ? ORDER.length : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
