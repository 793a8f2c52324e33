// Domain logic of collections: creating one (the indexing threshold's default), reading one with its index build's
// progress (settling a build no live builder holds), starting a build (BuildIndex), listing and deleting.
import type { Limits } from '../../config.js';
import type { CollectionInfo, CollectionSpec, EmbeddingTypeName } from '../embedding.types.js';
import type { IndexBuildRepository } from '../indexing/index-build.repository.js';
import type { IndexBuildService } from '../indexing/index-build.service.js';
import type { CollectionRepository } from './collection.repository.js';

export class CollectionService {
  constructor(
    private readonly repository: CollectionRepository,
    private readonly limits: Limits,
    private readonly indexing: { builds: IndexBuildService; repository: IndexBuildRepository; defaultThreshold: number },
  ) {}

  /** Creates the collection; an unset indexing threshold takes the INDEXING_THRESHOLD setting. */
  createCollection(tenantId: string, spec: CollectionSpec): Promise<CollectionInfo> {
    const indexingThreshold = spec.indexingThreshold ?? this.indexing.defaultThreshold;
    return this.repository.createCollection(tenantId, { ...spec, indexingThreshold }, this.limits.maxCollections);
  }

  /** The collection (by name or alias), with the progress of its index build while one runs. */
  async getCollection(tenantId: string, name: string): Promise<CollectionInfo> {
    const collection = await this.repository.getCollection(tenantId, name);
    if (collection.indexState !== 'building') return collection;
    // A build shown as running that no live builder holds is settled here, so it never stays BUILDING for good.
    if (!this.indexing.builds.isRunning(tenantId, collection)) {
      const settled = await this.indexing.repository.settleOrphaned(tenantId, collection);
      if (settled === 'ready') return { ...collection, indexState: 'ready' };
      if (settled === 'rebuild') this.indexing.builds.start(tenantId, collection);
    }
    return { ...collection, indexBuild: await this.indexing.repository.progress(collection) };
  }

  /**
   * Starts the collection's index build now (BuildIndex) and returns the collection as it then is; a collection
   * whose index is ready is only returned.
   */
  async buildIndex(tenantId: string, name: string): Promise<CollectionInfo> {
    const collection = await this.repository.getCollection(tenantId, name);
    if (collection.indexState === 'ready') return collection;
    await this.indexing.repository.markBuilding(tenantId, collection);
    this.indexing.builds.start(tenantId, collection);
    return this.getCollection(tenantId, name);
  }

  /** Starts the index builds a crash or restart cut off, and those due but never started (at start-up). */
  resumeIndexBuilds(): Promise<void> {
    return this.indexing.builds.resume();
  }

  /** Resolves when no index build of this process runs. */
  indexBuildsIdle(): Promise<void> {
    return this.indexing.builds.idle();
  }

  listCollections(tenantId: string, embeddingType: EmbeddingTypeName | undefined): Promise<CollectionInfo[]> {
    return this.repository.listCollections(tenantId, embeddingType);
  }

  deleteCollection(tenantId: string, name: string): Promise<number> {
    return this.repository.deleteCollection(tenantId, name);
  }
}
