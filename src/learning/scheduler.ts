// The daily learning job inside the service: fires at a configured time and catches up missed days.
import schedule from 'node-schedule';
import type { SchedulerConfig } from '../config.js';
import type { Logger } from '../log.js';
import { addDays, dayOf, daysBetween } from '../domain/days.js';

/** What the scheduler needs: who to learn for, and how to learn one day (idempotent). */
export interface SchedulerDeps {
  config: SchedulerConfig;
  log: Logger;
  tenants(): Promise<string[]>;
  /** Learns (tenant, day); returns whether it actually ran (false when already learned or held elsewhere). */
  runDay(tenantId: string, day: string): Promise<boolean>;
  /**
   * Storage upkeep run before each catch-up (the metric tables' partitions: months ahead, retention); its
   * failure is logged and does not stop the learning.
   */
  maintain?(): Promise<void>;
  /**
   * Records as failed the runs whose runner process is gone and returns them (LearningService.recoverOrphanedRuns):
   * run before each catch-up and at every recovery tick, and learned again even outside the catch-up window.
   */
  recoverRuns?(): Promise<{ tenantId: string; day: string }[]>;
  /** How often runs orphaned by a dead runner are looked for between the daily firings (default 60 s). */
  recoveryIntervalMs?: number;
  /** The clock; injected by tests. */
  now?: () => Date;
}

/** Runs the daily learning for every tenant; with several replicas the run's claim makes one of them do it. */
export class LearningScheduler {
  private job?: schedule.Job;
  private recoveryTimer?: NodeJS.Timeout;
  private inFlight?: Promise<number>;
  private readonly now: () => Date;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The days a catch-up covers at `now`: up to catchUpDays days, ending yesterday (UTC). */
  daysToLearn(): string[] {
    const yesterday = addDays(dayOf(this.now()), -1);
    const days = Math.max(1, this.deps.config.catchUpDays);
    return daysBetween(addDays(yesterday, -(days - 1)), yesterday);
  }

  /**
   * Learns every day in the catch-up window for every tenant, oldest first; days already learned are skipped
   * by the run's idempotency. Errors are logged per (tenant, day) and never escape. Returns days run.
   */
  catchUp(): Promise<number> {
    this.inFlight ??= this.catchUpOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Learns again the runs orphaned by a runner that died (kill -9, crash) without waiting for the daily firing;
   * skipped while a catch-up runs (it recovers them itself). Returns the days run.
   */
  recoverNow(): Promise<number> {
    if (this.inFlight) return this.inFlight.then(() => 0);
    this.inFlight = this.recoverOrphaned().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Fails the orphaned runs and learns their days again; errors are logged and never escape. */
  private async recoverOrphaned(): Promise<number> {
    let orphaned: { tenantId: string; day: string }[];
    try {
      orphaned = (await this.deps.recoverRuns?.()) ?? [];
    } catch (err) {
      this.deps.log.error({ err }, 'scheduler: cannot look for orphaned learning runs; will retry');
      return 0;
    }
    let ran = 0;
    for (const { tenantId, day } of orphaned) ran += await this.learn(tenantId, day);
    return ran;
  }

  /** Learns (tenant, day): 1 when it ran, 0 when it was already learned, held elsewhere or failed (logged). */
  private async learn(tenantId: string, day: string): Promise<number> {
    try {
      return (await this.deps.runDay(tenantId, day)) ? 1 : 0;
    } catch (err) {
      this.deps.log.error({ err, tenantId, day }, 'scheduler: learning run failed (recorded; retried next firing)');
      return 0;
    }
  }

  private async catchUpOnce(): Promise<number> {
    try {
      await this.deps.maintain?.();
    } catch (err) {
      this.deps.log.error({ err }, 'scheduler: storage upkeep failed; will retry at the next firing');
    }
    // NOTE: before the window, so that an orphaned day outside it (an old Backfill's) is learned again too.
    let ran = await this.recoverOrphaned();
    let tenants: string[];
    try {
      tenants = await this.deps.tenants();
    } catch (err) {
      this.deps.log.error({ err }, 'scheduler: cannot list tenants; will retry at the next firing');
      return 0;
    }
    const days = this.daysToLearn();
    for (const tenantId of tenants) {
      for (const day of days) ran += await this.learn(tenantId, day);
    }
    this.deps.log.info({ tenants: tenants.length, days: days.length, ran }, 'scheduler: catch-up finished');
    return ran;
  }

  /** Schedules the daily firing and starts a catch-up in the background. */
  start(): void {
    const [hour, minute] = this.deps.config.time.split(':').map(Number);
    this.job = schedule.scheduleJob({ hour, minute, tz: this.deps.config.timeZone }, () => void this.catchUp());
    if (this.deps.recoverRuns) {
      this.recoveryTimer = setInterval(() => void this.recoverNow(), this.deps.recoveryIntervalMs ?? 60_000);
      this.recoveryTimer.unref();
    }
    this.deps.log.info(
      { time: this.deps.config.time, timeZone: this.deps.config.timeZone, next: this.job?.nextInvocation()?.toISOString() },
      'scheduler: started',
    );
    void this.catchUp();
  }

  /** Cancels the daily firing and waits for a running catch-up to finish. */
  async stop(): Promise<void> {
    this.job?.cancel();
    this.job = undefined;
    clearInterval(this.recoveryTimer);
    await this.inFlight?.catch(() => undefined);
  }
}
