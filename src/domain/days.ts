// Calendar days (UTC, YYYY-MM-DD) as the learning side uses them.
import { invalidArgument } from '../errors.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
export const DAY_MS = 86_400_000;

/** The UTC day of an instant. */
export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Start (inclusive) and end (exclusive) instants of a day. */
export function dayBounds(day: string): { start: Date; end: Date } {
  const start = new Date(`${day}T00:00:00.000Z`);
  return { start, end: new Date(start.getTime() + DAY_MS) };
}

export function addDays(day: string, n: number): string {
  return dayOf(new Date(dayBounds(day).start.getTime() + n * DAY_MS));
}

/** How many days from `start` to `end`, inclusive (0 when `end` is before `start`). */
export function dayCount(start: string, end: string): number {
  return Math.max(0, Math.round((dayBounds(end).start.getTime() - dayBounds(start).start.getTime()) / DAY_MS) + 1);
}

/** Days from `start` to `end`, inclusive. */
export function daysBetween(start: string, end: string): string[] {
  // NOTE: counted, not compared as strings: the day after 9999-12-31 prints as "+010000-01-01", which sorts
  // before it, so a string loop never ended (a request for that range ran the server out of memory).
  return Array.from({ length: dayCount(start, end) }, (_, i) => addDays(start, i));
}

/**
 * Validates a YYYY-MM-DD day; `field` names it in the error. With `beforeToday`, the day must be complete
 * (strictly before today in UTC) — a day still in progress cannot be learned.
 */
export function parseDay(value: string, field: string, now: Date, options: { beforeToday?: boolean } = {}): string {
  const match = DAY.exec(value ?? '');
  if (!match) throw invalidArgument(`${field} "${value ?? ''}" is not a day in the form YYYY-MM-DD`, field);
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || dayOf(date) !== value) throw invalidArgument(`${field} "${value}" is not a calendar day`, field);
  if (options.beforeToday && value >= dayOf(now)) {
    throw invalidArgument(`${field} ${value} is not over yet (today is ${dayOf(now)} UTC); learn days before today`, field);
  }
  return value;
}
