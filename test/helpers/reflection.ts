// A strict reflection client: fetches every file the server describes and links them with @bufbuild/protobuf,
// which (like grpcurl) fails on missing dependencies or unresolvable type names.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { create, createFileRegistry, fromBinary, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

const here = dirname(fileURLToPath(import.meta.url));
/** The two versions of the reflection service the server answers (grpcurl tries v1 first, older tools v1alpha). */
export type ReflectionVersion = 'v1' | 'v1alpha';
const reflectionProto = (version: ReflectionVersion) => join(here, '..', '..', 'proto-vendor', 'grpc', 'reflection', version, 'reflection.proto');

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

function reflectionClient(address: string, version: ReflectionVersion) {
  const definition = loadSync(reflectionProto(version), { keepCase: false, defaults: false, oneofs: true });
  const pkg = loadPackageDefinition(definition) as unknown as { grpc: { reflection: Record<ReflectionVersion, GrpcObject> } };
  const Ctor = pkg.grpc.reflection[version].ServerReflection as ServiceClientConstructor;
  return new Ctor(address, credentials.createInsecure());
}

/** Sends reflection requests one by one over one stream. */
async function ask(address: string, requests: object[], version: ReflectionVersion): Promise<ReflectionResponse[]> {
  const client = reflectionClient(address, version);
  try {
    return await new Promise((resolve, reject) => {
      const stream = (client as unknown as { serverReflectionInfo(): NodeJS.ReadWriteStream }).serverReflectionInfo();
      const out: ReflectionResponse[] = [];
      stream.on('data', (r: ReflectionResponse) => out.push(r));
      stream.on('error', reject);
      stream.on('end', () => resolve(out));
      for (const r of requests) stream.write(r as never);
      stream.end();
    });
  } finally {
    client.close();
  }
}

/** Lists services through reflection. */
export async function listServices(address: string, version: ReflectionVersion = 'v1alpha'): Promise<string[]> {
  const [response] = await ask(address, [{ listServices: '' }], version);
  return (response.listServicesResponse?.service ?? []).map((s) => s.name);
}

/**
 * Resolves every listed service the way grpcurl does: file containing the symbol, then every dependency by file
 * name, then links all files into one registry. Throws if anything is missing.
 */
export async function resolveAll(address: string, version: ReflectionVersion = 'v1alpha'): Promise<{ registry: FileRegistry; services: string[] }> {
  const services = await listServices(address, version);
  const files = new Map<string, Uint8Array>();
  const pending: object[] = services.map((s) => ({ fileContainingSymbol: s }));
  while (pending.length > 0) {
    const responses = await ask(address, pending.splice(0), version);
    for (const r of responses) {
      if (r.errorResponse) throw new Error(`reflection error ${r.errorResponse.errorCode}: ${r.errorResponse.errorMessage}`);
      for (const bytes of r.fileDescriptorResponse?.fileDescriptorProto ?? []) {
        const file = fromBinary(FileDescriptorProtoSchema, bytes);
        if (files.has(file.name)) continue;
        files.set(file.name, bytes);
        for (const dep of file.dependency) if (!files.has(dep)) pending.push({ fileByFilename: dep });
      }
    }
  }
  // A descriptor set lists dependencies before their dependents.
  const parsed = new Map([...files].map(([name, bytes]) => [name, fromBinary(FileDescriptorProtoSchema, bytes)]));
  const ordered: ReturnType<typeof fromBinary<typeof FileDescriptorProtoSchema>>[] = [];
  const visit = (name: string) => {
    const file = parsed.get(name);
    if (!file || ordered.includes(file)) return;
    file.dependency.forEach(visit);
    ordered.push(file);
  };
  [...parsed.keys()].forEach(visit);
  const set = create(FileDescriptorSetSchema, { file: ordered });
  return { registry: createFileRegistry(set), services };
}
