// `stakazo-ml tokens`: create, revoke and list API tokens (each maps a bearer token to a tenant).
import { tokenId } from '../tenancy/tokens.js';
import { parseCommand, tenantOption, UsageError, type Command } from './usage.js';

const HELP = `usage: stakazo-ml tokens <create|revoke|list> [options]

  tokens create --tenant T [--label L]   create an API token for tenant T (creating the tenant); printed once
  tokens revoke <token-or-id>            revoke a token (the token itself, or the id "tokens list" shows)
  tokens list                            list tokens: ids, tenants, state (never the tokens)

Once a token has been created (even if revoked since), every gRPC call must send "authorization: Bearer <token>";
before the first one the service is single-tenant (tenant "default"). AUTH=tokens|none fixes the mode. Works in-process on the database of DATABASE_URL / DATA_DIR.`;

export const tokensCommand: Command = {
  name: 'tokens',
  help: HELP,
  async run(args) {
    const [action, ...rest] = args;
    const parsed = parseCommand(rest, { tenant: { type: 'string' }, label: { type: 'string' } }, HELP, true);
    if (!parsed || action === '--help' || action === '-h') {
      if (parsed) process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const { values, positionals } = parsed;
    if (!['create', 'revoke', 'list'].includes(action ?? '')) throw new UsageError(`unknown tokens action "${action ?? ''}" (create, revoke or list)`);
    if (action === 'create' && !values.tenant) throw new UsageError('tokens create needs --tenant <tenant-id>');
    if (action === 'create') tenantOption(values.tenant);
    if (action === 'revoke' && positionals.length !== 1) throw new UsageError('tokens revoke needs exactly one token or token id');
    const { withDatabase } = await import('./common.js');
    await withDatabase(async ({ services }) => {
      const tenancy = services.tenancy;
      if (action === 'create') {
        const { token, id } = await tenancy.createToken(values.tenant!, values.label ?? '');
        process.stdout.write(`tenant: ${values.tenant}\nid:     ${id}\ntoken:  ${token}\n(keep it: it is not stored and cannot be shown again)\n`);
      } else if (action === 'revoke') {
        const n = await tenancy.revokeToken(positionals[0]);
        process.stdout.write(`revoked ${n} token${n === 1 ? '' : 's'}\n`);
      } else {
        const tokens = await tenancy.listTokens();
        if (tokens.length === 0) process.stdout.write('no tokens yet (the service is single-tenant); create one: stakazo-ml tokens create --tenant T\n');
        for (const t of tokens) {
          process.stdout.write(`${tokenId(t.tokenHash)}  ${t.tenantId.padEnd(20)} ${t.revokedAt ? 'revoked' : 'active '}  ${t.label}\n`);
        }
      }
    });
    return 0;
  },
};
