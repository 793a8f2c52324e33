// Upkeep of the metric tables' monthly partitions: the coming months created ahead (so no write waits on a
// partition's creation), and with METRICS_RETENTION_DAYS the months past retention dropped whole.
import type { Logger } from '../log.js';

/** What upkeep needs of storage (MetricPartitionRepository). */
export interface PartitionStore {
  createAhead(now: Date, monthsAhead: number): Promise<string[]>;
  dropMonthsBefore(cutoff: Date): Promise<string[]>;
  analyzeStale(): Promise<string[]>;
}

/** Months created ahead of the current one. */
const MONTHS_AHEAD = 2;
const DAY_MS = 86_400_000;

export class MetricStorageService {
  constructor(
    private readonly store: PartitionStore,
    /** 0: keep everything. */
    private readonly retentionDays: number,
    private readonly log: Logger,
  ) {}

  /**
   * Creates the partitions of this month and the next two, and drops the months that ended more than the
   * retention before `now`. Returns the months created and dropped ("YYYYMM").
   */
  async maintain(now = new Date()): Promise<{ created: string[]; dropped: string[] }> {
    const created = await this.store.createAhead(now, MONTHS_AHEAD);
    const dropped = this.retentionDays > 0 ? await this.store.dropMonthsBefore(new Date(now.getTime() - this.retentionDays * DAY_MS)) : [];
    if (created.length > 0 || dropped.length > 0) this.log.info({ created, dropped, retentionDays: this.retentionDays }, 'metric partitions maintained');
    return { created, dropped };
  }

  /**
   * Brings the partitions' planner statistics up to date where they are stale (the learning run calls it before it
   * reads: its per-post reads are only fast with statistics that cover the rows). Returns the partitions analysed.
   */
  async refreshStatistics(): Promise<string[]> {
    const analysed = await this.store.analyzeStale();
    if (analysed.length > 0) this.log.info({ analysed }, 'metric partitions analysed (statistics were stale)');
    return analysed;
  }
}
