// The background HNSW index builds of this process: started when a collection reaches its indexing threshold, by
// BuildIndex, or at start-up for builds a crash cut off; at most one per collection here (and one across replicas,
// by the repository's advisory lock). Errors are logged, never thrown at a caller: the next write or BuildIndex
// tries again.
import type { Logger } from '../../log.js';
import type { CollectionInfo } from '../embedding.types.js';
import type { IndexBuildRepository } from './index-build.repository.js';

export class IndexBuildService {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly repository: IndexBuildRepository,
    private readonly log: Logger,
    private readonly onOutcome: (outcome: string) => void = () => undefined,
  ) {}

  /** Whether this process is building the collection's index. */
  isRunning(tenantId: string, collection: CollectionInfo): boolean {
    return this.running.has(`${tenantId}\u0000${collection.tableName}`);
  }

  /** Starts building the collection's index in the background unless this process is building it already. */
  start(tenantId: string, collection: CollectionInfo): void {
    const key = `${tenantId}\u0000${collection.tableName}`;
    if (this.running.has(key)) return;
    const context = { tenantId, collection: collection.name };
    this.log.info(context, 'index build starting');
    const run = this.repository
      .build(tenantId, collection)
      .then(
        (outcome) => {
          this.log.info({ ...context, outcome }, 'index build finished');
          this.onOutcome(outcome);
        },
        (err: unknown) => {
          this.log.error({ ...context, err }, 'index build failed; the next write past the threshold or BuildIndex retries it');
          this.onOutcome('failed');
        },
      )
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
  }

  /** Starts the builds a crash or restart cut off, and those due but never started. */
  async resume(): Promise<void> {
    try {
      for (const { tenantId, collection } of await this.repository.pendingBuilds()) this.start(tenantId, collection);
    } catch (err) {
      this.log.error({ err }, 'could not look for index builds to resume');
    }
  }

  /** Resolves when no build of this process runs (used before the database is closed). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}
