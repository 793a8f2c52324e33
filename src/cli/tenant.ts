// `stakazo-ml tenant`: a tenant's settings (learning across artists).
import { parseCommand, tenantOption, UsageError, type Command } from './usage.js';

const HELP = `usage: stakazo-ml tenant <show|share-learning> <tenant> [on|off]

  tenant show <tenant>                      print the tenant's settings
  tenant share-learning <tenant> on|off     opt the tenant in or out of learning across artists

Learning across artists (off by default): the coefficients of the tenant's own virality model (never its records)
feed a prior shared by the sharing tenants, and while the tenant has too little history for a model of its own it is
scored by a model shrunk toward that prior instead of the formula. Takes effect at the tenant's next daily run.
The same setting is SetLearningSettings over gRPC (as the calling tenant). Works in-process on the database of
DATABASE_URL / DATA_DIR.`;

export const tenantCommand: Command = {
  name: 'tenant',
  help: HELP,
  async run(args) {
    const parsed = parseCommand(args, {}, HELP, true);
    if (!parsed) return 0;
    const [action, tenantId, value, ...extra] = parsed.positionals;
    if (action !== 'show' && action !== 'share-learning') throw new UsageError(`unknown tenant action "${action ?? ''}" (show or share-learning)`);
    if (!tenantId) throw new UsageError(`tenant ${action} needs a tenant id`);
    tenantOption(tenantId, 'tenant');
    if (action === 'share-learning' && value !== 'on' && value !== 'off') {
      throw new UsageError(`tenant share-learning needs "on" or "off" after the tenant, got "${value ?? ''}"`);
    }
    if (extra.length || (action === 'show' && value !== undefined)) {
      throw new UsageError('too many arguments (tenant show <tenant>, or tenant share-learning <tenant> on|off)');
    }
    const { requireTenant, withDatabase } = await import('./common.js');
    await withDatabase(async (context) => {
      await requireTenant(context, tenantId);
      const settings = context.services.tenantSettings;
      const current = action === 'show' ? await settings.learningSettings(tenantId) : await settings.setShareLearning(tenantId, value === 'on');
      process.stdout.write(`tenant: ${tenantId}\nshare_learning: ${current.shareLearning ? 'on' : 'off'}\n`);
    });
    return 0;
  },
};
