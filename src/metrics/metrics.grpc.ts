// gRPC handlers of MetricsService: validate, call the service, map errors (through the handler wrappers).
import type { Config } from '../config.js';
import type { Services } from '../app.js';
import type { MetricsServiceServer } from '../gen/stakazo/ml/v1/metrics.js';
import { clientStream, serverStream, unary, type HandlerDeps } from '../grpc/handlers.js';
import * as validate from './metrics.validate.js';

/** Every method of MetricsService; ctx.tenantId scopes every call. */
export function metricsHandlers(deps: HandlerDeps, services: Pick<Services, 'metrics' | 'ingest'>, config: Config): MetricsServiceServer {
  const limits = config.limits;
  const { metrics: service, ingest } = services;
  return {
    registerContent: unary(deps, 'RegisterContent', (req, ctx) => service.registerContent(ctx.tenantId, validate.validateRegisterContent(req.content, limits))),
    getContent: unary(deps, 'GetContent', async (req, ctx) => ({
      content: await service.getContent(ctx.tenantId, validate.validateContentId(req.contentId)),
    })),
    listContent: unary(deps, 'ListContent', (req, ctx) => {
      const { pageSize, pageToken } = validate.validateListContent(req);
      return service.listContent(ctx.tenantId, pageSize, pageToken);
    }),
    deleteContent: unary(deps, 'DeleteContent', (req, ctx) => service.deleteContent(ctx.tenantId, validate.validateContentId(req.contentId))),
    registerPost: unary(deps, 'RegisterPost', (req, ctx) => service.registerPost(ctx.tenantId, validate.validateRegisterPost(req.post))),
    getPost: unary(deps, 'GetPost', async (req, ctx) => ({ post: await service.getPost(ctx.tenantId, validate.validatePostId(req.postId)) })),
    listPosts: unary(deps, 'ListPosts', (req, ctx) => service.listPosts(ctx.tenantId, validate.validateListPosts(req))),
    recordMetrics: unary(deps, 'RecordMetrics', (req, ctx) => {
      validate.validateRecordMetrics(req, limits);
      return ingest.recordMetrics(ctx.tenantId, req.records, req.allOrNothing);
    }),
    streamMetrics: clientStream(deps, 'StreamMetrics', (requests, ctx) => ingest.streamMetrics(ctx.tenantId, requests, ctx.signal)),
    queryMetrics: unary(deps, 'QueryMetrics', (req, ctx) => {
      const { filter, pageSize, pageToken } = validate.validateQueryMetrics(req);
      return service.queryMetrics(ctx.tenantId, filter, pageSize, pageToken);
    }),
    exportMetrics: serverStream(deps, 'ExportMetrics', (req, ctx, send) =>
      service.exportMetrics(ctx.tenantId, validate.validateExportMetrics(req), (records) => send({ records }), ctx.signal),
    ),
    listDailySnapshots: unary(deps, 'ListDailySnapshots', async (req, ctx) => ({
      snapshots: await service.listDailySnapshots(ctx.tenantId, validate.validateListDailySnapshots(req)),
    })),
  };
}
