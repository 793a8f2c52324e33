// gRPC handlers of LearningService: validate, call the service, map results to messages.
import type { Services } from '../app.js';
import type { Config } from '../config.js';
import { invalidArgument } from '../errors.js';
import { Platform } from '../gen/stakazo/ml/v1/common.js';
import { ReprocessMode, TimingMetric, type LearningServiceServer } from '../gen/stakazo/ml/v1/learning.js';
import { fromEnum } from '../grpc/enums.js';
import { unary, type HandlerDeps } from '../grpc/handlers.js';
import {
  bestTimeMessage,
  clusterMessage,
  reportMessage,
  retentionMessage,
  runMessage,
  snapshotMessage,
  trendsMessage,
  viralityMessage,
} from './learning.mapper.js';
import type { Reprocess, RunWithReport } from './run/learning.service.js';
import { validateBestTime } from './best-time/best-time.validate.js';
import { validatePredictVirality, type PlatformField } from './virality/virality.validate.js';
import { validateAdviceSettings } from './advice/advice.validate.js';

/** The platform filter of a request: undefined for unspecified, INVALID_ARGUMENT for an unknown value. */
export function platformFilter(value: number, field = 'platform'): string | undefined {
  if (!value) return undefined;
  const name = fromEnum(Platform, 'PLATFORM_', value);
  if (!name) throw invalidArgument(`${field} ${value} is not a known platform (TIKTOK, INSTAGRAM, YOUTUBE, FACEBOOK, X)`, field);
  return name;
}

function reprocessOf(value: ReprocessMode): Reprocess {
  if (value === ReprocessMode.REPROCESS_MODE_ALL) return 'all';
  if (value === ReprocessMode.REPROCESS_MODE_FAILED) return 'failed';
  if (value === ReprocessMode.REPROCESS_MODE_NONE || value === ReprocessMode.REPROCESS_MODE_UNSPECIFIED) return 'none';
  throw invalidArgument(`reprocess ${value} is not a known mode (NONE, FAILED, ALL)`, 'reprocess');
}

/** A platform as the validators take it: its name, or the raw number when it is unspecified or unknown. */
const platformField = (value: number): PlatformField => fromEnum(Platform, 'PLATFORM_', value) ?? value;
const metricField = (value: number) => fromEnum(TimingMetric, 'TIMING_METRIC_', value) ?? value;

const runResponse = (r: RunWithReport) => ({ run: runMessage(r.run), report: r.report ? reportMessage(r.report) : undefined, reused: r.reused });

/** Every method of LearningService; ctx.tenantId scopes every call. */
export function learningHandlers(
  deps: HandlerDeps,
  services: Pick<Services, 'learning' | 'virality' | 'bestTime' | 'tenantSettings'>,
  config: Config,
): LearningServiceServer {
  const { learning: service, virality, bestTime, tenantSettings } = services;
  return {
    buildDailySnapshot: unary(deps, 'BuildDailySnapshot', async (req, ctx) => ({
      snapshots: (await service.buildSnapshot(ctx.tenantId, req.day)).map(snapshotMessage),
    })),
    getDailySnapshot: unary(deps, 'GetDailySnapshot', async (req, ctx) => ({
      snapshots: (await service.getSnapshot(ctx.tenantId, req.day, platformFilter(req.platform))).map(snapshotMessage),
    })),
    getRetentionAnalysis: unary(deps, 'GetRetentionAnalysis', async (req, ctx) => {
      if (!req.postId) throw invalidArgument('post_id is empty', 'post_id');
      return { analysis: retentionMessage(await service.retentionOfPost(ctx.tenantId, req.postId)) };
    }),
    getRetentionClusters: unary(deps, 'GetRetentionClusters', async (req, ctx) => {
      const result = await service.clusters(ctx.tenantId, req.startDay, req.endDay, platformFilter(req.platform), req.maxClusters);
      return { clusters: result.clusters.map(clusterMessage), silhouette: result.silhouette, postsCount: result.postsCount };
    }),
    runDailyLearning: unary(deps, 'RunDailyLearning', async (req, ctx) =>
      runResponse(await service.runDay(ctx.tenantId, req.day, { force: req.force, trigger: 'api', signal: ctx.signal })),
    ),
    backfill: unary(deps, 'Backfill', async (req, ctx) => {
      const { runs, daysRun } = await service.backfill(ctx.tenantId, req.startDay, req.endDay, reprocessOf(req.reprocess), undefined, ctx.signal);
      return { runs: runs.map((r) => runMessage(r.run)), daysRunCount: daysRun };
    }),
    getLearningReport: unary(deps, 'GetLearningReport', async (req, ctx) => {
      const { run, report } = await service.report(ctx.tenantId, req.day);
      return { run: runMessage(run), report: report ? reportMessage(report) : undefined };
    }),
    listLearningRuns: unary(deps, 'ListLearningRuns', async (req, ctx) => {
      const { runs, nextPageToken, trends } = await service.listRuns(ctx.tenantId, req.startDay, req.endDay, req.pageSize, req.pageToken);
      return { runs: runs.map(runMessage), nextPageToken, trends: trendsMessage(trends) };
    }),
    predictVirality: unary(deps, 'PredictVirality', async (req, ctx) => {
      const items = validatePredictVirality(
        req.items.map((item) => ({ ...item, platform: platformField(item.platform) })),
        new Date(),
      );
      return { predictions: (await virality.predict(ctx.tenantId, items, config.boostThreshold)).map(viralityMessage) };
    }),
    getBestTimeToPost: unary(deps, 'GetBestTimeToPost', async (req, ctx) => {
      const query = validateBestTime({ ...req, platform: platformField(req.platform), metric: metricField(req.metric) }, new Date());
      return bestTimeMessage(await bestTime.bestTime(ctx.tenantId, query));
    }),
    getLearningSettings: unary(deps, 'GetLearningSettings', async (_req, ctx) => ({
      settings: await tenantSettings.learningSettings(ctx.tenantId),
    })),
    setLearningSettings: unary(deps, 'SetLearningSettings', async (req, ctx) => {
      const advice = validateAdviceSettings(req);
      if (req.shareLearning === undefined && !advice)
        throw invalidArgument('nothing to change: set share_learning (true or false), advice_min_lift_fraction or advice_primary_outcome', 'share_learning');
      let settings = req.shareLearning === undefined ? undefined : await tenantSettings.setShareLearning(ctx.tenantId, req.shareLearning);
      if (advice) settings = await tenantSettings.setAdviceSettings(ctx.tenantId, advice);
      return { settings };
    }),
  };
}
