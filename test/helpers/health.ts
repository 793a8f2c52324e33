// The standard gRPC health check, called as any client would (grpc-health-check's proto, a dynamic client).
import { credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** The serving status of `service` ('' for the server as a whole) at `address`. */
export function healthCheck(address: string, service: string): Promise<string> {
  const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as { grpc: { health: { v1: GrpcObject } } };
  const Ctor = pkg.grpc.health.v1.Health as ServiceClientConstructor;
  const client = new Ctor(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.check({ service }, (err: Error | null, res: { status: string }) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    });
  });
}
