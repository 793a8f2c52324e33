// Authentication fails closed: revoking the last token keeps token mode, a token sent to a single-tenant service is
// refused, and AUTH=tokens|none make the mode explicit.
import { type Metadata, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { bearer, BACKEND, call, expectStatus, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const listCollections = (server: TestServer, metadata?: Metadata) => call(server.embedding, server.embedding.listCollections, { embeddingType: 0 }, metadata);

describe(`auth modes (${BACKEND})`, () => {
  let server: TestServer | undefined;
  const tenants: string[] = [];

  afterEach(async () => {
    // NOTE: tokens are deleted, not only revoked: on Postgres every test file shares one database, and a revoked
    // token left behind would (rightly) keep the later files' servers in token mode.
    if (server) {
      const repo = new TenancyRepository(server.running.db);
      for (const tenant of tenants.splice(0)) await repo.deleteTokensOf(tenant);
      await server.stop();
      server = undefined;
    }
  });

  it('AUTH=auto: revoking the last token keeps token mode; no token, the revoked one and garbage are UNAUTHENTICATED', async () => {
    server = await startTestServer({ AUTH_CACHE_MS: '0' });
    const repo = new TenancyRepository(server.running.db);
    const tenant = uniq('revoked');
    tenants.push(tenant);
    const { token } = await new TenancyService(repo).createToken(tenant, 'the only one');
    await listCollections(server, bearer(token));
    await new TenancyService(repo).revokeToken(token);
    await expectStatus(listCollections(server), status.UNAUTHENTICATED, /missing "authorization: Bearer <token>"/);
    await expectStatus(listCollections(server, bearer(token)), status.UNAUTHENTICATED, /unknown or revoked token/);
    await expectStatus(listCollections(server, bearer('stk_garbage')), status.UNAUTHENTICATED, /unknown or revoked token/);
  });

  it('AUTH=auto before any token: calls without metadata are tenant "default"; a call that sends a token is refused', async function () {
    server = await startTestServer({ AUTH_CACHE_MS: '0' });
    if (await new TenancyRepository(server.running.db).hasAnyTokens()) this.skip(); // another file's tokens (shared Postgres)
    expect((await listCollections(server)).collections).to.be.an('array');
    await expectStatus(listCollections(server, bearer('stk_whatever')), status.UNAUTHENTICATED, /no API tokens yet/);
  });

  it('AUTH=tokens: every call needs an active token, even before the first one exists', async () => {
    server = await startTestServer({ AUTH: 'tokens', AUTH_CACHE_MS: '0' });
    await expectStatus(listCollections(server), status.UNAUTHENTICATED, /missing "authorization: Bearer <token>"/);
    const tenant = uniq('explicit');
    tenants.push(tenant);
    const { token } = await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'explicit mode');
    expect((await listCollections(server, bearer(token))).collections).to.deep.equal([]);
  });

  it('AUTH=none: single-tenant even when tokens exist; every caller is tenant "default"', async () => {
    server = await startTestServer({ AUTH: 'none', AUTH_CACHE_MS: '0' });
    const tenant = uniq('ignored');
    tenants.push(tenant);
    await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'ignored in none mode');
    expect((await listCollections(server)).collections).to.be.an('array');
  });
});
