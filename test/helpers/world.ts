// Loads the synthetic world of src/demo/world.ts through the real MetricsService (gRPC).
import { contentOf, postOf, recordsOf, type WorldPost } from '../../src/demo/world.js';
import { Metadata } from '@grpc/grpc-js';
import { clientStreamCall } from '../../src/client-calls.js';
import { messagesOf } from './metrics-fixtures.js';
import { call, type TestServer } from './server.js';

export { generateWorld, plantedCurve, PLANTED, recordsOf, type WorldOptions, type WorldPost } from '../../src/demo/world.js';

/** Registers every content and post, then streams their records; returns the stream's counts. */
export async function loadWorld(server: TestServer, posts: WorldPost[], metadata = new Metadata()) {
  const register = async (post: WorldPost) => {
    await call(server.metrics, server.metrics.registerContent, { content: contentOf(post) }, metadata);
    await call(server.metrics, server.metrics.registerPost, { post: postOf(post) }, metadata);
  };
  for (let i = 0; i < posts.length; i += 16) await Promise.all(posts.slice(i, i + 16).map(register));
  return clientStreamCall(server.metrics, server.metrics.streamMetrics, messagesOf(posts.flatMap(recordsOf), 200), metadata);
}
