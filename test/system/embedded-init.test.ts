// A new embedded data folder is created without initdb in the opening process: a child process makes a migrated
// template once (kept in PGLITE_TEMPLATE_DIR) and each new folder is a copy of it; with no template folder a child
// creates the folder's database and nothing is kept. Either way the database opens fully migrated.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDb } from '../../src/db/connect.js';
import { holdsDatabase, templateKey } from '../../src/db/embedded-init.js';
import { migrateLatest } from '../../src/db/migrate.js';

const pglite = { sharedBuffers: '16MB', workMem: '4MB', maintenanceWorkMem: '64MB', initialMemoryMb: 128 };

/** Opens `dataDir` as the server does; returns the migrations still pending and the default tenant's presence. */
async function openAndCheck(dataDir: string, templateDir: string | undefined) {
  const db = await openDb({ dataDir, pglite: { ...pglite, ...(templateDir ? { templateDir } : {}) } });
  try {
    const applied = await migrateLatest(db.knex);
    const tenants = await db.knex('tenants').where({ tenant_id: 'default' }).count<{ count: number }[]>({ count: '*' });
    return { applied, defaultTenants: Number(tenants[0]!.count) };
  } finally {
    await db.close();
  }
}

describe('a new embedded data folder (pglite)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'stakazo-embedded-init-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('makes the template once in a child process, then copies it into every new folder, keeping files already there', async () => {
    const templateDir = join(scratch, 'cache');
    const first = join(scratch, 'first');
    expect(await openAndCheck(first, templateDir)).to.deep.equal({ applied: [], defaultTenants: 1 });
    const template = join(templateDir, `pglite-template-${templateKey()}`);
    expect(holdsDatabase(template), 'the template is kept').to.equal(true);
    expect(readdirSync(templateDir), 'no half-made folder is left').to.deep.equal([`pglite-template-${templateKey()}`]);
    const made = statSync(join(template, 'PG_VERSION')).mtimeMs;

    // A second new folder, with a file of its own already in it: a copy of the same template.
    const second = join(scratch, 'second');
    const own = join(second, 'notes.txt');
    mkdirSync(second);
    writeFileSync(own, 'mine');
    expect(await openAndCheck(second, templateDir)).to.deep.equal({ applied: [], defaultTenants: 1 });
    expect(existsSync(own), 'a file already in the folder stays').to.equal(true);
    expect(statSync(join(template, 'PG_VERSION')).mtimeMs, 'the template was not made again').to.equal(made);
    expect((statSync(second).mode & 0o777).toString(8), 'the folder stays private').to.equal('700');
  });

  it('without a template folder, a child process creates the database and nothing is kept', async () => {
    const dataDir = join(scratch, 'no-template');
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('stakazo-ml-initdb-'));
    expect(await openAndCheck(dataDir, undefined)).to.deep.equal({ applied: [], defaultTenants: 1 });
    const after = readdirSync(tmpdir()).filter((f) => f.startsWith('stakazo-ml-initdb-'));
    expect(after, 'the scratch folder is removed').to.deep.equal(before);
  });
});
