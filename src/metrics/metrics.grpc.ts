// gRPC handlers of MetricsService: validate (messages → domain inputs), call the service, map domain results to
// messages (metrics.mapper.ts); errors go through the handler wrappers.
import type { Config } from '../config.js';
import type { Services } from '../app.js';
import type { MetricsServiceServer, StreamMetricsRequest } from '../gen/stakazo/ml/v1/metrics.js';
import { clientStream, serverStream, unary, type HandlerDeps } from '../grpc/handlers.js';
import { snapshotMessage } from '../learning/learning.mapper.js';
import { contentMessage, postMessage, recordMessage } from './metrics.mapper.js';
import type { MetricsLimits, RecordChunk } from './metrics.types.js';
import * as validate from './metrics.validate.js';
import { validateRecords } from './ingest/record.validate.js';

/** The messages of a StreamMetrics call, each validated record by record, numbered across the stream. */
async function* preparedMessages(messages: AsyncIterable<StreamMetricsRequest>, limits: MetricsLimits): AsyncIterable<RecordChunk> {
  let index = 0;
  for await (const message of messages) {
    yield validateRecords(message.records, index, Date.now(), limits);
    index += message.records.length;
  }
}

/** Every method of MetricsService; ctx.tenantId scopes every call. */
export function metricsHandlers(deps: HandlerDeps, services: Pick<Services, 'metrics' | 'ingest'>, config: Config): MetricsServiceServer {
  const limits = config.limits;
  const { metrics: service, ingest } = services;
  return {
    registerContent: unary(deps, 'RegisterContent', async (req, ctx) => {
      const { content, created } = await service.registerContent(ctx.tenantId, validate.validateRegisterContent(req.content, limits));
      return { content: contentMessage(content), created };
    }),
    getContent: unary(deps, 'GetContent', async (req, ctx) => ({
      content: contentMessage(await service.getContent(ctx.tenantId, validate.validateContentId(req.contentId))),
    })),
    listContent: unary(deps, 'ListContent', async (req, ctx) => {
      const { pageSize, pageToken } = validate.validateListContent(req);
      const page = await service.listContent(ctx.tenantId, pageSize, pageToken);
      return { contents: page.contents.map(contentMessage), nextPageToken: page.nextPageToken };
    }),
    deleteContent: unary(deps, 'DeleteContent', (req, ctx) => service.deleteContent(ctx.tenantId, validate.validateContentId(req.contentId))),
    registerPost: unary(deps, 'RegisterPost', async (req, ctx) => {
      const { post, created } = await service.registerPost(ctx.tenantId, validate.validateRegisterPost(req.post));
      return { post: postMessage(post), created };
    }),
    getPost: unary(deps, 'GetPost', async (req, ctx) => ({ post: postMessage(await service.getPost(ctx.tenantId, validate.validatePostId(req.postId))) })),
    listPosts: unary(deps, 'ListPosts', async (req, ctx) => {
      const page = await service.listPosts(ctx.tenantId, validate.validateListPosts(req));
      return { posts: page.posts.map(postMessage), nextPageToken: page.nextPageToken };
    }),
    recordMetrics: unary(deps, 'RecordMetrics', (req, ctx) => {
      validate.validateRecordMetrics(req, limits);
      return ingest.recordMetrics(ctx.tenantId, validateRecords(req.records, 0, Date.now(), limits), req.allOrNothing);
    }),
    streamMetrics: clientStream(deps, 'StreamMetrics', (requests, ctx) => ingest.streamMetrics(ctx.tenantId, preparedMessages(requests, limits), ctx.signal)),
    queryMetrics: unary(deps, 'QueryMetrics', async (req, ctx) => {
      const { filter, pageSize, pageToken } = validate.validateQueryMetrics(req);
      const page = await service.queryMetrics(ctx.tenantId, filter, pageSize, pageToken);
      return { records: page.records.map(recordMessage), nextPageToken: page.nextPageToken };
    }),
    exportMetrics: serverStream(deps, 'ExportMetrics', (req, ctx, send) =>
      service.exportMetrics(ctx.tenantId, validate.validateExportMetrics(req), (records) => send({ records: records.map(recordMessage) }), ctx.signal),
    ),
    listDailySnapshots: unary(deps, 'ListDailySnapshots', async (req, ctx) => ({
      snapshots: (await service.listDailySnapshots(ctx.tenantId, validate.validateListDailySnapshots(req))).map(snapshotMessage),
    })),
  };
}
