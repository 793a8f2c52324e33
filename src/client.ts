// The typed client API for TypeScript callers: `import { EmbeddingServiceClient } from 'stakazo-ml'`.
export * from './gen/stakazo/ml/v1/common.js';
export * from './gen/stakazo/ml/v1/embedding.js';
export * from './gen/stakazo/ml/v1/metrics.js';
export * from './gen/stakazo/ml/v1/learning.js';
export * from './gen/stakazo/ml/v1/experiment.js';
export { clientStreamCall, unaryCall, writeAll, type ClientStreamMethod, type UnaryMethod } from './client-calls.js';
