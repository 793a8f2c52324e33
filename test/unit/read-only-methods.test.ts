// The read-only RPCs come from the contract (`option idempotency_level = NO_SIDE_EFFECTS;`), read from the descriptor
// set `npm run generate` builds: what was routed to replicas before is still, and nothing that writes is.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { readOnlyMethods } from '../../src/grpc/read-routing.js';
import { DESCRIPTOR_SET_PATH } from '../../src/server.js';

const descriptorSet = fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET_PATH));
const ours = descriptorSet.file.filter((file) => file.package === 'stakazo.ml.v1');
const allMethods = ours.flatMap((file) => file.service.flatMap((service) => service.method.map((method) => method.name)));

describe('read-only methods (from the contract)', () => {
  const readOnly = readOnlyMethods(descriptorSet);

  it('keeps every RPC the hand-kept list routed to replicas', () => {
    const before = [
      ...['GetCollection', 'ListCollections', 'GetPoints', 'Scroll', 'Search', 'SearchBatch', 'Recommend', 'ListAliases'],
      ...['GetContent', 'ListContent', 'GetPost', 'ListPosts', 'QueryMetrics', 'ExportMetrics', 'ListDailySnapshots'],
      ...['GetDailySnapshot', 'GetRetentionAnalysis', 'GetRetentionClusters', 'GetLearningReport', 'ListLearningRuns'],
      ...['PredictVirality', 'GetBestTimeToPost', 'GetLearningSettings', 'GetExperiment', 'ListExperiments', 'GetExperimentResult'],
    ];
    expect([...before].filter((name) => !readOnly.has(name))).to.deep.equal([]);
  });

  it('declares every RPC that only reads (Get, List, Search, Scroll, Recommend, Query, Export, Predict) read-only, and no RPC that writes', () => {
    // NOTE: SearchContent was missed until this pattern named every verb of a read (it went to the primary).
    const reads = allMethods.filter((name) => /^(Get|List|Search|Scroll|Recommend|Query|Export|Predict)/.test(name));
    expect(reads).to.include('SearchContent');
    expect(
      reads.filter((name) => !readOnly.has(name)),
      'reading RPCs without NO_SIDE_EFFECTS',
    ).to.deep.equal([]);
    const writes = allMethods.filter((name) => /^(Create|Delete|Upsert|Update|Register|Record|Stream|Run|Backfill|Build|Set|Add|Stop|Switch)/.test(name));
    expect(writes).to.not.be.empty;
    expect(
      writes.filter((name) => readOnly.has(name)),
      'writing RPCs declared NO_SIDE_EFFECTS',
    ).to.deep.equal([]);
  });

  it('refuses a name declared read-only in one service and not in another', () => {
    const clash = structuredClone(descriptorSet);
    const services = clash.file.filter((file) => file.package === 'stakazo.ml.v1').flatMap((file) => file.service);
    const [first, second] = services;
    const writing = second.method.find((method) => !readOnly.has(method.name))!;
    writing.name = first.method.find((method) => readOnly.has(method.name))!.name;
    expect(() => readOnlyMethods(clash)).to.throw(/NO_SIDE_EFFECTS in one service and not in another/);
  });
});
