// Text Postgres can store: no NUL character. Checked at the edge, per record, so one bad value is a rejection of
// its record (index, field, reason) and never a database error that fails the whole batch.

const NUL = '\u0000';

/**
 * Where `value` holds a NUL character (in a string, or in any key or string of an object or array, at any depth),
 * as a path like `caption` or `tags[2]`, or undefined when it holds none. `''` means the value itself.
 */
export function nulPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key.replaceAll(NUL, '\\u0000')}` : key.replaceAll(NUL, '\\u0000');
    if (key.includes(NUL)) return childPath;
    const found = nulPath(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Why `value` cannot be stored as text, or undefined: the reason names where the NUL character is. */
export function nulProblem(value: unknown): string | undefined {
  const path = nulPath(value);
  if (path === undefined) return undefined;
  return `contains a NUL character (\\u0000)${path ? ` at ${path}` : ''}, which cannot be stored; remove it`;
}
