// Postgres WAL positions ("16/B374D848") as comparable numbers, for read-your-writes routing to replicas.

/** A WAL position as Postgres prints it: two hexadecimal halves separated by a slash. */
const LSN_PATTERN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** The WAL position `text` as a number, or undefined when it is not one. */
export function parseLsn(text: string): bigint | undefined {
  const match = LSN_PATTERN.exec(text.trim());
  if (!match) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** The WAL position `lsn` as Postgres prints it. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
