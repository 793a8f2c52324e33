// Proto enums ⇄ the lower-case names the domain and the database use ('tiktok' ⇄ PLATFORM_TIKTOK = 1).

type ProtoEnum = Record<string, string | number>;

/** The enum value for a domain name, e.g. (Platform, 'PLATFORM_', 'tiktok') → 1; 0 when unknown. */
export function toEnum<E extends ProtoEnum>(enumObject: E, prefix: string, name: string | undefined): E[keyof E] {
  const value = name ? enumObject[`${prefix}${name.toUpperCase()}`] : undefined;
  return (typeof value === 'number' ? value : 0) as E[keyof E];
}

/** The domain name of an enum value, e.g. (Platform, 'PLATFORM_', 1) → 'tiktok'; undefined for 0 or unknown. */
export function fromEnum(enumObject: ProtoEnum, prefix: string, value: number): string | undefined {
  if (!value) return undefined;
  const key = enumObject[value];
  return typeof key === 'string' && key.startsWith(prefix) ? key.slice(prefix.length).toLowerCase() : undefined;
}
