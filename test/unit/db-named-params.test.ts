// named(): knex-style named bindings to $n parameters, leaving casts, literals, identifiers and comments alone.
import { expect } from 'chai';
import { named } from '../../src/db/named-params.js';

describe('named parameters', () => {
  it('numbers names in order of first use and reuses a repeated name', () => {
    const s = named('select * from t where a = :tenant and b >= :start and c = :tenant', { tenant: 't1', start: 5 });
    expect(s.sql).to.equal('select * from t where a = $1 and b >= $2 and c = $1');
    expect(s.params).to.deep.equal(['t1', 5]);
  });

  it('keeps casts, also right after a parameter', () => {
    const s = named("select :day::date, x::text, (:post::text is null or p = :post), '[]'::jsonb", { day: '2024-01-01', post: null });
    expect(s.sql).to.equal("select $1::date, x::text, ($2::text is null or p = $2), '[]'::jsonb");
    expect(s.params).to.deep.equal(['2024-01-01', null]);
  });

  it('leaves string literals, quoted identifiers and comments untouched', () => {
    const sql = `select 'a :not ''b :no'' c' as "x:y", to_char(d, 'HH24:MI') -- :comment here\n from t where k = :k`;
    const s = named(sql, { k: 1 });
    expect(s.sql).to.equal(`select 'a :not ''b :no'' c' as "x:y", to_char(d, 'HH24:MI') -- :comment here\n from t where k = $1`);
    expect(s.params).to.deep.equal([1]);
  });

  it('passes values as they are (dates, arrays, null)', () => {
    const when = new Date('2024-01-02T00:00:00Z');
    const s = named('select :when, :ids::text[], :none', { when, ids: ['a', 'b'], none: null });
    expect(s.params[0]).to.equal(when);
    expect(s.params[1]).to.deep.equal(['a', 'b']);
    expect(s.params[2]).to.equal(null);
  });

  it('does not take array slices or numbers for names', () => {
    expect(named('select a[1:2], :x', { x: 1 }).sql).to.equal('select a[1:2], $1');
  });

  it('rejects a name without a binding', () => {
    expect(() => named('select :missing', {})).to.throw(/:missing/);
  });
});
