// Raw pooled sessions: settings remembered per connection, transactions, binary parameters — on both back-ends.
import { expect } from 'chai';
import { pino } from 'pino';
import { openDb } from '../../src/db/connect.js';
import { withSession, withTransaction, type Session } from '../../src/db/session.js';
import { vectorField } from '../../src/embedding/vectors/pgvector-binary.js';
import { BACKEND, startTestServer, type TestServer } from '../helpers/server.js';

/** The statements a session sends, recorded around its query method. */
function recording(session: Session): { session: Session; sent: string[] } {
  const sent: string[] = [];
  const query = session.query.bind(session);
  session.query = (sql, params) => {
    sent.push(sql);
    return query(sql, params);
  };
  return { session, sent };
}

const setting = async (session: Session, name: string) => (await session.query<{ v: string }>(`select current_setting($1) as v`, [name])).rows[0]!.v;

describe(`db sessions (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ DB_POOL_MAX: '1' });
  });
  after(async () => server?.stop());

  it("never JIT-compiles on Postgres (the compile cost 0.3 s of an empty day's 1 ms read), keeping options the URL carries", async function () {
    if (BACKEND !== 'postgres') this.skip();
    await withSession(server.running.db, async (session) => {
      expect(await setting(session, 'jit')).to.equal('off');
    });
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set('options', '-c statement_timeout=4321');
    const db = await openDb({ databaseUrl: url.toString(), dataDir: '' });
    try {
      await withSession(db, async (session) => {
        expect(await setting(session, 'jit')).to.equal('off');
        expect(await setting(session, 'statement_timeout')).to.equal('4321ms');
      });
    } finally {
      await db.close();
    }
  });

  it('sets session settings once per connection and again only when they change', async () => {
    const db = server.running.db;
    const first = await withSession(db, async (s) => {
      const { session, sent } = recording(s);
      await session.useSettings({ 'hnsw.ef_search': '77', 'hnsw.iterative_scan': 'off' });
      await session.useSettings({ 'hnsw.ef_search': '77', 'hnsw.iterative_scan': 'off' });
      return { sent, ef: await setting(session, 'hnsw.ef_search') };
    });
    expect(first.ef).to.equal('77');
    expect(first.sent.filter((sql) => sql.includes('set_config'))).to.have.length(1);
    // The pool has one connection: the next session gets the same one, still carrying the settings.
    const second = await withSession(db, async (s) => {
      const { session, sent } = recording(s);
      await session.useSettings({ 'hnsw.ef_search': '77', 'hnsw.iterative_scan': 'off' });
      const unchanged = sent.length;
      await session.useSettings({ 'hnsw.ef_search': '40', 'hnsw.iterative_scan': 'off' });
      return { unchanged, changedSql: sent.at(-1)!, ef: await setting(session, 'hnsw.ef_search'), scan: await setting(session, 'hnsw.iterative_scan') };
    });
    expect(second.unchanged, 'no statement when the connection already holds the settings').to.equal(0);
    expect(second.changedSql.match(/set_config/g), 'only the changed setting is sent').to.have.length(1);
    expect([second.ef, second.scan]).to.deep.equal(['40', 'off']);
  });

  it('refuses session settings inside a transaction, and keeps local settings to the transaction', async () => {
    const db = server.running.db;
    await withTransaction(db, async (session) => {
      let refused: Error | undefined;
      await session.useSettings({ 'hnsw.ef_search': '55' }).catch((err: Error) => (refused = err));
      expect(refused?.message).to.match(/inside a transaction/);
      await session.useLocalSettings({ enable_indexscan: 'off' });
      expect(await setting(session, 'enable_indexscan')).to.equal('off');
    });
    await withSession(db, async (session) => expect(await setting(session, 'enable_indexscan')).to.equal('on'));
  });

  it('takes a vector parameter in the form the driver sends', async () => {
    await withSession(server.running.db, async (session) => {
      const values = new Float32Array([1, 2.5, -3e-5]);
      const param = session.binaryParams ? vectorField(values) : '[1,2.5,-3e-05]';
      const r = await session.query<{ t: string }>('select $1::vector(3)::text as t', [param]);
      expect(r.rows[0]!.t).to.equal('[1,2.5,-3e-05]');
      expect(session.binaryParams).to.equal(BACKEND === 'postgres');
    });
  });

  it('sends knex warnings (a failed pool acquire) to the structured log, not the console', async function () {
    if (BACKEND === 'pglite') this.skip(); // one in-process connection: no pool to exhaust
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const db = await openDb({ databaseUrl: process.env.DATABASE_URL, dataDir: server.config.dataDir, poolMax: 1, acquireTimeoutMs: 200, log });
    try {
      let release!: () => void;
      const held = withSession(db, () => new Promise<void>((resolve) => (release = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      let failed: Error | undefined;
      await withSession(db, async () => undefined).catch((err: Error) => (failed = err));
      release();
      await held;
      expect(failed, 'the second acquire times out').to.not.equal(undefined);
      const warning = lines.find((l) => l.source === 'knex');
      expect(warning, JSON.stringify(lines)).to.include({ level: 40 });
      expect(String(warning!.msg)).to.match(/^Acquire connection error/);
    } finally {
      await db.close();
    }
  });
});
