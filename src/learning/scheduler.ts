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
  /** The clock; injected by tests. */
  now?: () => Date;
}

/** Runs the daily learning for every tenant; with several replicas the run's claim makes one of them do it. */
export class LearningScheduler {
  private job?: schedule.Job;
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

  private async catchUpOnce(): Promise<number> {
    let ran = 0;
    try {
      await this.deps.maintain?.();
    } catch (err) {
      this.deps.log.error({ err }, 'scheduler: storage upkeep failed; will retry at the next firing');
    }
    let tenants: string[];
    try {
      tenants = await this.deps.tenants();
    } catch (err) {
      this.deps.log.error({ err }, 'scheduler: cannot list tenants; will retry at the next firing');
      return 0;
    }
    const days = this.daysToLearn();
    for (const tenantId of tenants) {
      for (const day of days) {
        try {
          if (await this.deps.runDay(tenantId, day)) ran++;
        } catch (err) {
          this.deps.log.error({ err, tenantId, day }, 'scheduler: learning run failed (recorded; retried next firing)');
        }
      }
    }
    this.deps.log.info({ tenants: tenants.length, days: days.length, ran }, 'scheduler: catch-up finished');
    return ran;
  }

  /** Schedules the daily firing and starts a catch-up in the background. */
  start(): void {
    const [hour, minute] = this.deps.config.time.split(':').map(Number);
    this.job = schedule.scheduleJob({ hour, minute, tz: this.deps.config.timeZone }, () => void this.catchUp());
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
    await this.inFlight?.catch(() => undefined);
  }
}
