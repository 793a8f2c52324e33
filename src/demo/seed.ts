// Loads the demo world into one tenant in-process: content, posts, metric records and an embeddings collection.
import type { Config } from '../config.js';
import type { Services } from '../app.js';
import { AppError } from '../errors.js';
import type { MetricRecord } from '../gen/stakazo/ml/v1/metrics.js';
import { addDays, dayOf } from '../domain/days.js';
import { validateRegisterContent, validateRegisterPost } from '../metrics/metrics.validate.js';
import { validateRecords } from '../metrics/ingest/record.validate.js';
import { DEMO_COLLECTION, DEMO_DIMENSION } from './demo-names.js';
import { contentOf, generateEmbeddings, generateWorld, postOf, recordsOf, type WorldPost } from './world.js';

const RECORDS_PER_MESSAGE = 500;
const POINTS_PER_BATCH = 500;
const CONCURRENT_REGISTRATIONS = 8;

export interface DemoOptions {
  tenantId: string;
  days: number;
  postsPerDay: number;
  /** Today (UTC); the world ends the day before yesterday so that every observed day is over. */
  now?: Date;
}

/** The days a demo world spans: publication starts `days + 1` days ago; observations end yesterday at the latest. */
export function demoDays(options: Pick<DemoOptions, 'days' | 'now'>): { startDay: string; lastObservedDay: string } {
  const today = dayOf(options.now ?? new Date());
  const startDay = addDays(today, -(options.days + 1));
  return { startDay, lastObservedDay: addDays(startDay, options.days) };
}

/** Progress callbacks, one per phase: (steps done now, total steps). */
export interface SeedProgress {
  phase(name: 'register' | 'metrics' | 'embeddings', total: number): (steps: number) => void;
}

export interface SeedSummary {
  posts: number;
  records: { accepted: number; duplicate: number; rejected: number };
  embeddings: { inserted: number; updated: number };
  startDay: string;
  lastObservedDay: string;
}

/** Generates and loads the demo world (same seed: same world, so seeding twice adds nothing twice). */
/** The services the demo world is loaded through. */
type SeedServices = Pick<Services, 'tenancy' | 'metrics' | 'ingest' | 'collections' | 'points'>;

export async function seedDemo(services: SeedServices, config: Config, options: DemoOptions, progress: SeedProgress): Promise<SeedSummary> {
  const { startDay, lastObservedDay } = demoDays(options);
  await services.tenancy.ensureTenant(options.tenantId, 'demo');
  const posts = generateWorld({ prefix: 'demo', seed: 7, postsPerDay: options.postsPerDay, startDay, days: options.days });
  await registerPosts(services, config, options.tenantId, posts, progress.phase('register', posts.length));
  const records = await streamRecords(services, config, options.tenantId, posts.flatMap(recordsOf), progress);
  const embeddings = await upsertEmbeddings(services, options.tenantId, posts, progress.phase('embeddings', posts.length));
  return { posts: posts.length, records, embeddings, startDay, lastObservedDay };
}

async function registerPosts(services: SeedServices, config: Config, tenantId: string, posts: WorldPost[], tick: (steps: number) => void): Promise<void> {
  const service = services.metrics;
  for (let i = 0; i < posts.length; i += CONCURRENT_REGISTRATIONS) {
    const batch = posts.slice(i, i + CONCURRENT_REGISTRATIONS);
    await Promise.all(
      batch.map(async (post) => {
        await service.registerContent(tenantId, validateRegisterContent(contentOf(post), config.limits));
        await service.registerPost(tenantId, validateRegisterPost(postOf(post, 'demo')));
      }),
    );
    tick(batch.length);
  }
}

async function streamRecords(services: SeedServices, config: Config, tenantId: string, records: MetricRecord[], progress: SeedProgress) {
  const tick = progress.phase('metrics', records.length);
  async function* messages() {
    for (let i = 0; i < records.length; i += RECORDS_PER_MESSAGE) {
      const chunk = records.slice(i, i + RECORDS_PER_MESSAGE);
      yield validateRecords(chunk, i, Date.now(), config.limits);
      tick(chunk.length);
    }
  }
  const summary = await services.ingest.streamMetrics(tenantId, messages(), new AbortController().signal);
  return { accepted: summary.acceptedCount, duplicate: summary.duplicateCount, rejected: summary.rejectedCount };
}

async function upsertEmbeddings(services: SeedServices, tenantId: string, posts: WorldPost[], tick: (steps: number) => void) {
  try {
    await services.collections.createCollection(tenantId, {
      name: DEMO_COLLECTION,
      embeddingType: 'visual_clip',
      dimension: DEMO_DIMENSION,
      distance: 'cosine',
      precision: 'float32',
      hnswM: 16,
      hnswEfConstruction: 64,
      hnswEfSearch: 100,
      description: 'seed-demo: one synthetic CLIP-like vector per content item, clustered by style',
    });
  } catch (err) {
    if (!(err instanceof AppError && err.kind === 'already_exists')) throw err;
  }
  const totals = { inserted: 0, updated: 0 };
  const points = generateEmbeddings(posts, DEMO_DIMENSION);
  for (let i = 0; i < points.length; i += POINTS_PER_BATCH) {
    const batch = points.slice(i, i + POINTS_PER_BATCH);
    const counts = await services.points.upsert(
      tenantId,
      DEMO_COLLECTION,
      batch.map((p) => ({ id: p.id, contentId: p.contentId, vector: Float32Array.from(p.vector), metadata: p.metadata })),
    );
    totals.inserted += counts.inserted;
    totals.updated += counts.updated;
    tick(batch.length);
  }
  return totals;
}
