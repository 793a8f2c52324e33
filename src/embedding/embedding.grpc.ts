// gRPC handlers of EmbeddingService: validate, call the service, map errors (through the handler wrappers).
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { EmbeddingServiceServer } from '../gen/stakazo/ml/v1/embedding.js';
import type { HandlerDeps } from '../grpc/handlers.js';

/** The implemented methods of EmbeddingService; the server answers UNIMPLEMENTED for the rest. */
export function embeddingHandlers(_deps: HandlerDeps, _db: Db, _config: Config): Partial<EmbeddingServiceServer> {
  return {};
}
