// Container health check: asks the gRPC health service (grpc.health.v1) for the overall status.
// Exits 0 when SERVING, 1 otherwise. Used by the Dockerfile's HEALTHCHECK.
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';

const address = `127.0.0.1:${process.env.PORT || 50051}`;
const pkg = loadPackageDefinition(loadSync(protoPath, { enums: String }));
const client = new pkg.grpc.health.v1.Health(address, credentials.createInsecure());
client.check({ service: '' }, { deadline: Date.now() + 2000 }, (err, res) => {
  if (err || res.status !== 'SERVING') {
    console.error(`unhealthy: ${err ? err.message : res.status}`);
    process.exit(1);
  }
  process.exit(0);
});
