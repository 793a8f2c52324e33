// Turns SQL with knex-style named bindings (`:tenant`) into the `$n` form a Session runs, so repositories can keep
// their readable named SQL while every query goes through withSession / withTransaction.
import type { QueryResult, Session } from './session.js';

/** A statement ready for Session.query. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Replaces every `:name` in `sql` by `$n` and returns the parameters in that order; the same name is the same
 * parameter each time it occurs. Casts (`::date`), string literals, quoted identifiers and `--` comments are left
 * alone. A name with no binding is an error (it is a typo, not SQL).
 */
export function named(sql: string, bindings: Readonly<Record<string, unknown>>): Statement {
  const params: unknown[] = [];
  const positions = new Map<string, number>();
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      const end = newline < 0 ? sql.length : newline;
      out += sql.slice(i, end);
      i = end;
    } else if (c === ':' && sql[i + 1] === ':') {
      out += '::';
      i += 2;
    } else if (c === ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const name = /^[A-Za-z_]\w*/.exec(sql.slice(i + 1))![0];
      if (!Object.hasOwn(bindings, name)) throw new Error(`SQL names :${name} but no binding is given for it`);
      let position = positions.get(name);
      if (position === undefined) {
        params.push(bindings[name]);
        position = params.length;
        positions.set(name, position);
      }
      out += `$${position}`;
      i += 1 + name.length;
    } else {
      out += c;
      i++;
    }
  }
  return { sql: out, params };
}

/** The index just past the literal or identifier quoted by sql[start]; a doubled quote inside is an escape. */
function closingQuote(sql: string, start: number): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Runs `sql` with named bindings on `session` (see named()). */
export function queryNamed<Row = Record<string, unknown>>(
  session: Session,
  sql: string,
  bindings: Readonly<Record<string, unknown>>,
): Promise<QueryResult<Row>> {
  const statement = named(sql, bindings);
  return session.query<Row>(statement.sql, statement.params);
}
