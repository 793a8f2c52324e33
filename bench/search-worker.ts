// A client process of the concurrency measure: connects, prints "ready", reads the start time (ms since the epoch)
// from stdin, from then searches in a closed loop for `seconds`, then prints {"count": n, "seconds": s} on stdout.
// Run by measures/concurrency.ts.
import { credentials } from '@grpc/grpc-js';
import { EmbeddingServiceClient } from '../src/gen/stakazo/ml/v1/embedding.js';
import { CLIENT_OPTIONS } from './backend.js';
import { ClusteredVectors } from './data.js';
import { call } from './grpc.js';
import { searchRequest } from './measures/search.js';

const [address, collection, dimension, clusters, querySeed, seconds] = process.argv.slice(2);
const client = new EmbeddingServiceClient(address!, credentials.createInsecure(), CLIENT_OPTIONS);
const queries = new ClusteredVectors(Number(dimension), Number(clusters)).generate(50, Number(querySeed)).map((q) => searchRequest(collection!, q));
await call(client, client.search, queries[0]!); // connect before the clock
process.stdout.write('ready\n');
const startAt = await new Promise<number>((resolve) => process.stdin.once('data', (chunk) => resolve(Number(String(chunk).trim()))));
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
const end = Date.now() + Number(seconds) * 1000;
let count = 0;
const begin = performance.now();
while (Date.now() < end) await call(client, client.search, queries[count++ % queries.length]!);
process.stdout.write(`${JSON.stringify({ count, seconds: (performance.now() - begin) / 1000 })}\n`);
client.close();
process.stdin.destroy();
