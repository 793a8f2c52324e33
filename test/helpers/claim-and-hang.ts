// A runner that claims a learning run and then hangs, to be killed with SIGKILL by a test: a real process owning a
// real claim (the same code path as RunDailyLearning's), which dies mid-run.
// Usage: node --import tsx test/helpers/claim-and-hang.ts <tenant> <day>   (DATA_DIR / DATABASE_URL from the env)
import { openDb } from '../../src/db/connect.js';
import { LearningRepository } from '../../src/learning/run/learning.repository.js';

const [tenantId, day] = process.argv.slice(2);
const db = await openDb({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: process.env.DATA_DIR ?? './data' });
const claim = await new LearningRepository(db).claimRun(tenantId, day, 'api', true, 30 * 60_000);
process.stdout.write(`${JSON.stringify({ claimed: claim.claimed, attempt: claim.run?.attempt, owner: db.runners.ownerId })}\n`);
// Hang with the database open, as a run in the middle of its work does.
setInterval(() => undefined, 60_000);
