// gRPC handlers of LearningService: validate, call the service, map errors (through the handler wrappers).
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { LearningServiceServer } from '../gen/stakazo/ml/v1/learning.js';
import type { HandlerDeps } from '../grpc/handlers.js';

/** The implemented methods of LearningService; the server answers UNIMPLEMENTED for the rest. */
export function learningHandlers(_deps: HandlerDeps, _db: Db, _config: Config): Partial<LearningServiceServer> {
  return {};
}
