// gRPC handlers of EmbeddingService: validate, call the area's service for the kind of operation (collections,
// points, search, content search, aliases), map domain results to messages (embedding.mapper.ts).
import type { Config } from '../config.js';
import type { Services } from '../app.js';
import {
  Distance,
  EmbeddingType,
  type EmbeddingServiceServer,
  MetadataUpdateMode,
  Precision,
  RecommendStrategy,
  type UpsertStreamRequest,
} from '../gen/stakazo/ml/v1/embedding.js';
import { clientStream, unary, type HandlerDeps } from '../grpc/handlers.js';
import { validateAliasTarget, validateDeleteAlias, validateListAliases } from './collections/alias.validate.js';
import { validateCreateCollection, validateDeleteCollection, validateGetCollection, validateListCollections } from './collections/collection.validate.js';
import { validateSearchContent } from './content-search/content-search.validate.js';
import { enumName, toProtoAlias, toProtoCollection, toProtoHit, toProtoPoint, toSearchContentInput, toSearchContentResponse } from './embedding.mapper.js';
import type { UpsertStreamChunk } from './embedding.types.js';
import { validateCollectionName } from './embedding.validate.js';
import {
  validateDeletePoints,
  validateGetPoints,
  validateScroll,
  validateUpdateMetadata,
  validateUpsert,
  validateUpsertStreamMessage,
} from './points/point.validate.js';
import { validateRecommend } from './search/recommend.validate.js';
import { validateSearch, validateSearchBatch } from './search/search.validate.js';

async function* validatedStream(requests: AsyncIterable<UpsertStreamRequest>, config: Config): AsyncIterable<UpsertStreamChunk> {
  for await (const request of requests) yield validateUpsertStreamMessage(request, config.limits);
}

/** Every method of EmbeddingService; ctx.tenantId scopes every call. */
export function embeddingHandlers(
  deps: HandlerDeps,
  services: Pick<Services, 'collections' | 'points' | 'search' | 'contentSearch' | 'aliases'>,
  config: Config,
): EmbeddingServiceServer {
  const limits = config.limits;
  return {
    createCollection: unary(deps, 'CreateCollection', async (request, ctx) => {
      const c = request.collection;
      const spec = validateCreateCollection(
        c && {
          ...c,
          embeddingType: enumName(EmbeddingType, c.embeddingType, 'EMBEDDING_TYPE_'),
          distance: enumName(Distance, c.distance, 'DISTANCE_'),
          precision: enumName(Precision, c.precision, 'PRECISION_'),
        },
      );
      return { collection: toProtoCollection(await services.collections.createCollection(ctx.tenantId, spec)) };
    }),

    getCollection: unary(deps, 'GetCollection', async (request, ctx) => ({
      collection: toProtoCollection(await services.collections.getCollection(ctx.tenantId, validateGetCollection(request))),
    })),

    listCollections: unary(deps, 'ListCollections', async (request, ctx) => {
      const embeddingType = validateListCollections({ embeddingType: enumName(EmbeddingType, request.embeddingType, 'EMBEDDING_TYPE_') });
      return { collections: (await services.collections.listCollections(ctx.tenantId, embeddingType)).map(toProtoCollection) };
    }),

    deleteCollection: unary(deps, 'DeleteCollection', async (request, ctx) => ({
      deletedPointsCount: await services.collections.deleteCollection(ctx.tenantId, validateDeleteCollection(request)),
    })),

    upsert: unary(deps, 'Upsert', async (request, ctx) => {
      const { collection, points } = validateUpsert(request, limits);
      const counts = await services.points.upsert(ctx.tenantId, collection, points);
      return { insertedCount: counts.inserted, updatedCount: counts.updated };
    }),

    upsertStream: clientStream(deps, 'UpsertStream', async (requests, ctx) => {
      const result = await services.points.upsertStream(ctx.tenantId, validatedStream(requests, config), ctx.signal);
      return {
        insertedCount: result.inserted,
        updatedCount: result.updated,
        rejectedCount: result.rejectedCount,
        rejected: result.rejected,
      };
    }),

    getPoints: unary(deps, 'GetPoints', async (request, ctx) => {
      const { collection, ids, withVectors } = validateGetPoints(request, limits);
      const points = await services.points.getPoints(ctx.tenantId, collection, ids, withVectors);
      return { points: points.map((p) => toProtoPoint(p, request.vectorEncoding)) };
    }),

    deletePoints: unary(deps, 'DeletePoints', async (request, ctx) => {
      const { collection, ...target } = validateDeletePoints(request, limits);
      return { deletedCount: await services.points.deletePoints(ctx.tenantId, collection, target) };
    }),

    updateMetadata: unary(deps, 'UpdateMetadata', async (request, ctx) => {
      const valid = validateUpdateMetadata({ ...request, mode: enumName(MetadataUpdateMode, request.mode, 'METADATA_UPDATE_MODE_') }, limits);
      return { updatedCount: await services.points.updateMetadata(ctx.tenantId, valid.collection, valid.ids, valid.metadata, valid.mode) };
    }),

    scroll: unary(deps, 'Scroll', async (request, ctx) => {
      const page = await services.points.scroll(ctx.tenantId, validateScroll(request, limits));
      return { points: page.points.map((p) => toProtoPoint(p, request.vectorEncoding)), nextPageToken: page.nextPageToken };
    }),

    search: unary(deps, 'Search', async (request, ctx) => {
      const [hits] = await services.search.search(ctx.tenantId, [validateSearch(request, limits)]);
      return { hits: hits!.map((hit) => toProtoHit(hit, request.vectorEncoding)) };
    }),

    searchBatch: unary(deps, 'SearchBatch', async (request, ctx) => {
      const results = await services.search.search(ctx.tenantId, validateSearchBatch(request, limits));
      return { results: results.map((hits, i) => ({ hits: hits.map((hit) => toProtoHit(hit, request.searches[i]!.vectorEncoding)) })) };
    }),

    recommend: unary(deps, 'Recommend', async (request, ctx) => {
      const query = validateRecommend({ ...request, strategy: enumName(RecommendStrategy, request.strategy, 'RECOMMEND_STRATEGY_') }, limits);
      const hits = await services.search.recommend(ctx.tenantId, query);
      return { hits: hits.map((hit) => toProtoHit(hit, request.vectorEncoding)) };
    }),

    searchContent: unary(deps, 'SearchContent', async (request, ctx) => {
      const query = validateSearchContent(toSearchContentInput(request), limits);
      return toSearchContentResponse(await services.contentSearch.searchContent(ctx.tenantId, query));
    }),

    createAlias: unary(deps, 'CreateAlias', async (request, ctx) => {
      const { alias, collection } = validateAliasTarget(request);
      return { alias: toProtoAlias(await services.aliases.createAlias(ctx.tenantId, alias, collection)) };
    }),

    deleteAlias: unary(deps, 'DeleteAlias', async (request, ctx) => ({
      collection: await services.aliases.deleteAlias(ctx.tenantId, validateDeleteAlias(request)),
    })),

    listAliases: unary(deps, 'ListAliases', async (request, ctx) => ({
      aliases: (await services.aliases.listAliases(ctx.tenantId, validateListAliases(request))).map(toProtoAlias),
    })),

    buildIndex: unary(deps, 'BuildIndex', async (request, ctx) => ({
      collection: toProtoCollection(await services.collections.buildIndex(ctx.tenantId, validateCollectionName(request.collection))),
    })),

    switchAlias: unary(deps, 'SwitchAlias', async (request, ctx) => {
      const { alias, collection } = validateAliasTarget(request);
      const switched = await services.aliases.switchAlias(ctx.tenantId, alias, collection);
      return { alias: toProtoAlias(switched.alias), previousCollection: switched.previousCollection };
    }),
  };
}
