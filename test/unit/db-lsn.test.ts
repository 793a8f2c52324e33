// WAL positions: parsed from Postgres's text form, compared as numbers, printed back the same.
import { expect } from 'chai';
import { formatLsn, parseLsn } from '../../src/db/lsn.js';

describe('WAL positions (lsn)', () => {
  it('parses, orders and prints positions as Postgres does', () => {
    expect(parseLsn('0/16B3748')).to.equal(0x16b3748n);
    expect(parseLsn('1/0')).to.equal(1n << 32n);
    expect(parseLsn('1/0')! > parseLsn('0/FFFFFFFF')!).to.equal(true);
    expect(formatLsn(parseLsn('16/B374D848')!)).to.equal('16/B374D848');
  });

  it('refuses what is not a position', () => {
    for (const bad of ['', '16', '16/', '/1', 'x/1', '123456789/0', '0/1/2']) expect(parseLsn(bad), bad).to.equal(undefined);
  });
});
