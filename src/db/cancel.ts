// Cancelling a statement running on a Postgres backend, over a connection of its own (not through the pool, which
// may be exhausted by the very call being cancelled).
import pg from 'pg';

/** A function asking the server at `url` to cancel the statement running on backend `pid`. */
export function backendCanceller(url: string): (pid: number) => Promise<void> {
  return async (pid) => {
    const client = new pg.Client({ connectionString: url, application_name: 'stakazo-ml-cancel', connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
