// gRPC handlers of EmbeddingService: validate, call the service, map domain results to messages.
import type { Config } from '../config.js';
import type { Services } from '../app.js';
import {
  type Alias,
  Distance,
  EmbeddingType,
  IndexState,
  MetadataUpdateMode,
  Precision,
  RecommendStrategy,
  VectorEncoding,
  type Collection,
  type EmbeddingServiceServer,
  type Point,
  type ScoredPoint,
  type UpsertStreamRequest,
  type Vector,
} from '../gen/stakazo/ml/v1/embedding.js';
import { clientStream, unary, type HandlerDeps } from '../grpc/handlers.js';
import { validateAliasTarget, validateDeleteAlias, validateListAliases } from './alias.validate.js';
import type { AliasInfo, CollectionInfo, ScoredPoint as DomainScoredPoint, StoredPoint, UpsertStreamChunk } from './embedding.types.js';
import {
  validateCollectionName,
  validateCreateCollection,
  validateDeleteCollection,
  validateDeletePoints,
  validateGetCollection,
  validateGetPoints,
  validateListCollections,
  validateScroll,
  validateSearch,
  validateSearchBatch,
  validateUpdateMetadata,
  validateUpsert,
  validateUpsertStreamMessage,
} from './embedding.validate.js';
import { fromEnum } from '../grpc/enums.js';
import { validateRecommend } from './recommend.validate.js';
import { toSearchContentInput, toSearchContentResponse } from './content-search.mapper.js';
import { validateSearchContent } from './content-search.validate.js';
import { encodeFloat32Le } from './vector-codec.js';

/** The lower-case name of an enum value without its prefix ("DISTANCE_L2" → "l2"); "unrecognized" for unknown numbers. */
function enumName(values: Record<number, string>, value: number, prefix: string): string {
  return value === 0 ? 'unspecified' : (fromEnum(values, prefix, value) ?? 'unrecognized');
}

/** The enum value of a lower-case name ("l2" → DISTANCE_L2). */
function enumValue<E>(values: Record<string, unknown>, name: string, prefix: string): E {
  return values[`${prefix}${name.toUpperCase()}`] as E;
}

function toProtoCollection(c: CollectionInfo): Collection {
  return {
    name: c.name,
    embeddingType: enumValue<EmbeddingType>(EmbeddingType, c.embeddingType, 'EMBEDDING_TYPE_'),
    dimension: c.dimension,
    distance: enumValue<Distance>(Distance, c.distance, 'DISTANCE_'),
    precision: enumValue<Precision>(Precision, c.precision, 'PRECISION_'),
    hnsw: { m: c.hnswM, efConstruction: c.hnswEfConstruction, efSearch: c.hnswEfSearch },
    description: c.description,
    pointCount: c.pointCount,
    createTime: c.createdAt,
    indexState: enumValue<IndexState>(IndexState, c.indexState, 'INDEX_STATE_'),
    indexingThreshold: c.indexingThreshold,
    indexBuildProgress: c.indexBuild,
    textFields: c.textFields,
    textLanguage: c.textLanguage,
  };
}

function toProtoAlias(a: AliasInfo): Alias {
  return { alias: a.alias, collection: a.collection, createTime: a.createdAt, updateTime: a.updatedAt };
}

function toProtoVector(values: Float32Array | undefined, encoding: VectorEncoding): Vector | undefined {
  if (!values) return undefined;
  if (encoding === VectorEncoding.VECTOR_ENCODING_FLOAT32_LE) return { values: [], float32Le: encodeFloat32Le(values) };
  return { values: Array.from(values), float32Le: Buffer.alloc(0) };
}

function toProtoPoint(p: StoredPoint, encoding: VectorEncoding): Point {
  return {
    id: p.id,
    contentId: p.contentId,
    vector: toProtoVector(p.vector, encoding),
    metadata: p.metadata,
    createTime: p.createdAt,
    updateTime: p.updatedAt,
  };
}

function toProtoHit(hit: DomainScoredPoint, encoding: VectorEncoding): ScoredPoint {
  return { point: toProtoPoint(hit.point, encoding), score: hit.score, distance: hit.distance };
}

async function* validatedStream(requests: AsyncIterable<UpsertStreamRequest>, config: Config): AsyncIterable<UpsertStreamChunk> {
  for await (const request of requests) yield validateUpsertStreamMessage(request, config.limits);
}

/** Every method of EmbeddingService; ctx.tenantId scopes every call. */
export function embeddingHandlers(deps: HandlerDeps, services: Pick<Services, 'embedding' | 'aliases'>, config: Config): EmbeddingServiceServer {
  const service = services.embedding;
  const aliases = services.aliases;
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
      return { collection: toProtoCollection(await service.createCollection(ctx.tenantId, spec)) };
    }),

    getCollection: unary(deps, 'GetCollection', async (request, ctx) => ({
      collection: toProtoCollection(await service.getCollection(ctx.tenantId, validateGetCollection(request))),
    })),

    listCollections: unary(deps, 'ListCollections', async (request, ctx) => {
      const embeddingType = validateListCollections({ embeddingType: enumName(EmbeddingType, request.embeddingType, 'EMBEDDING_TYPE_') });
      return { collections: (await service.listCollections(ctx.tenantId, embeddingType)).map(toProtoCollection) };
    }),

    deleteCollection: unary(deps, 'DeleteCollection', async (request, ctx) => ({
      deletedPointsCount: await service.deleteCollection(ctx.tenantId, validateDeleteCollection(request)),
    })),

    upsert: unary(deps, 'Upsert', async (request, ctx) => {
      const { collection, points } = validateUpsert(request, limits);
      const counts = await service.upsert(ctx.tenantId, collection, points);
      return { insertedCount: counts.inserted, updatedCount: counts.updated };
    }),

    upsertStream: clientStream(deps, 'UpsertStream', async (requests, ctx) => {
      const result = await service.upsertStream(ctx.tenantId, validatedStream(requests, config), ctx.signal);
      return {
        insertedCount: result.inserted,
        updatedCount: result.updated,
        rejectedCount: result.rejectedCount,
        rejected: result.rejected,
      };
    }),

    getPoints: unary(deps, 'GetPoints', async (request, ctx) => {
      const { collection, ids, withVectors } = validateGetPoints(request, limits);
      const points = await service.getPoints(ctx.tenantId, collection, ids, withVectors);
      return { points: points.map((p) => toProtoPoint(p, request.vectorEncoding)) };
    }),

    deletePoints: unary(deps, 'DeletePoints', async (request, ctx) => {
      const { collection, ...target } = validateDeletePoints(request, limits);
      return { deletedCount: await service.deletePoints(ctx.tenantId, collection, target) };
    }),

    updateMetadata: unary(deps, 'UpdateMetadata', async (request, ctx) => {
      const valid = validateUpdateMetadata({ ...request, mode: enumName(MetadataUpdateMode, request.mode, 'METADATA_UPDATE_MODE_') }, limits);
      return { updatedCount: await service.updateMetadata(ctx.tenantId, valid.collection, valid.ids, valid.metadata, valid.mode) };
    }),

    scroll: unary(deps, 'Scroll', async (request, ctx) => {
      const page = await service.scroll(ctx.tenantId, validateScroll(request, limits));
      return { points: page.points.map((p) => toProtoPoint(p, request.vectorEncoding)), nextPageToken: page.nextPageToken };
    }),

    search: unary(deps, 'Search', async (request, ctx) => {
      const [hits] = await service.search(ctx.tenantId, [validateSearch(request, limits)]);
      return { hits: hits!.map((hit) => toProtoHit(hit, request.vectorEncoding)) };
    }),

    searchBatch: unary(deps, 'SearchBatch', async (request, ctx) => {
      const results = await service.search(ctx.tenantId, validateSearchBatch(request, limits));
      return { results: results.map((hits, i) => ({ hits: hits.map((hit) => toProtoHit(hit, request.searches[i]!.vectorEncoding)) })) };
    }),

    recommend: unary(deps, 'Recommend', async (request, ctx) => {
      const query = validateRecommend({ ...request, strategy: enumName(RecommendStrategy, request.strategy, 'RECOMMEND_STRATEGY_') }, limits);
      const hits = await service.recommend(ctx.tenantId, query);
      return { hits: hits.map((hit) => toProtoHit(hit, request.vectorEncoding)) };
    }),

    searchContent: unary(deps, 'SearchContent', async (request, ctx) => {
      const query = validateSearchContent(toSearchContentInput(request), limits);
      return toSearchContentResponse(await service.searchContent(ctx.tenantId, query));
    }),

    createAlias: unary(deps, 'CreateAlias', async (request, ctx) => {
      const { alias, collection } = validateAliasTarget(request);
      return { alias: toProtoAlias(await aliases.createAlias(ctx.tenantId, alias, collection)) };
    }),

    deleteAlias: unary(deps, 'DeleteAlias', async (request, ctx) => ({
      collection: await aliases.deleteAlias(ctx.tenantId, validateDeleteAlias(request)),
    })),

    listAliases: unary(deps, 'ListAliases', async (request, ctx) => ({
      aliases: (await aliases.listAliases(ctx.tenantId, validateListAliases(request))).map(toProtoAlias),
    })),

    buildIndex: unary(deps, 'BuildIndex', async (request, ctx) => ({
      collection: toProtoCollection(await service.buildIndex(ctx.tenantId, validateCollectionName(request.collection))),
    })),

    switchAlias: unary(deps, 'SwitchAlias', async (request, ctx) => {
      const { alias, collection } = validateAliasTarget(request);
      const switched = await aliases.switchAlias(ctx.tenantId, alias, collection);
      return { alias: toProtoAlias(switched.alias), previousCollection: switched.previousCollection };
    }),
  };
}
