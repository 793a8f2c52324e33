// Local weekday, hour and minute of an instant in an IANA time zone, and the next start of a local hour.

/** Wall-clock position of an instant in a time zone. */
export interface LocalTime {
  /** ISO weekday: Monday = 1 … Sunday = 7. */
  weekday: number;
  /** 0..23. */
  hour: number;
  /** 0..59. */
  minute: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // NOTE: hourCycle h23, not hour12: false, which prints midnight as "24" on some ICU versions.
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows the IANA time zone (e.g. "Europe/Madrid"). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Weekday, hour and minute of an instant in a time zone; throws RangeError for an unknown zone. */
export function localTime(instant: Date, timeZone: string): LocalTime {
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatterOf(timeZone).formatToParts(instant)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value];
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, hour, minute };
}

const QUARTER_MS = 15 * 60 * 1000;

/**
 * A memoised {@link localTime} for many instants in one zone. Every UTC offset in use is a multiple of 15 minutes
 * and transitions happen on quarter hours, so the local weekday and hour are constant within each UTC quarter hour:
 * one formatter call per quarter hour instead of one per instant.
 */
export function localTimeCache(timeZone: string): (instant: Date) => LocalTime {
  const cache = new Map<number, LocalTime>();
  return (instant) => {
    const ms = instant.getTime();
    const quarter = Math.floor(ms / QUARTER_MS);
    let start = cache.get(quarter);
    if (!start) {
      start = localTime(new Date(quarter * QUARTER_MS), timeZone);
      cache.set(quarter, start);
    }
    return { weekday: start.weekday, hour: start.hour, minute: start.minute + Math.floor((ms - quarter * QUARTER_MS) / 60000) };
  };
}

/** {@link localTimeCache} for instants in any zone: one memo per zone, made on first use. */
export function localTimesByZone(): (instant: Date, timeZone: string) => LocalTime {
  const zones = new Map<string, (instant: Date) => LocalTime>();
  return (instant, timeZone) => {
    let toLocal = zones.get(timeZone);
    if (!toLocal) zones.set(timeZone, (toLocal = localTimeCache(timeZone)));
    return toLocal(instant);
  };
}

/**
 * The first instant strictly after `after` at which the local clock in `timeZone` reads `hour`:00 on `weekday`.
 * Handles DST: an hour skipped by a spring-forward does not occur that week (the next week's is returned), an hour
 * repeated by a fall-back returns its first occurrence. Undefined only if no such hour occurs in 15 days.
 */
export function nextLocalHourStart(after: Date, timeZone: string, weekday: number, hour: number): Date | undefined {
  let quarter = Math.floor(after.getTime() / QUARTER_MS) + 1;
  const last = quarter + 15 * 96;
  for (; quarter <= last; quarter++) {
    const instant = new Date(quarter * QUARTER_MS);
    const local = localTime(instant, timeZone);
    if (local.weekday === weekday && local.hour === hour && local.minute === 0) return instant;
  }
  return undefined;
}
