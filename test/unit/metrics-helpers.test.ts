// Pure helpers of the metrics area: binary COPY encoding, canonical hashes, page tokens, ingest bookkeeping.
import { expect } from 'chai';
import type { AppError } from '../../src/errors.js';
import { BinaryCopyWriter } from '../../src/db/binary-copy.js';
import { canonicalJson, encodeRecord, hashMatches, legacyRecordHash } from '../../src/metrics/ingest/record-hash.js';
import { FAMILIES, familyOfNumber, payloadValues } from '../../src/metrics/families.js';
import { IngestTally, repeatOutcome, splitRepeats } from '../../src/metrics/ingest/ingest-tally.js';
import { payloadFromRow } from '../../src/metrics/query/record-query.repository.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../../src/domain/paging.js';
import type { MetricPayload, PreparedRecord } from '../../src/metrics/metrics.types.js';
import { platformName, platformNumber } from '../../src/domain/platform.js';

const hex = (b: Buffer) => b.toString('hex');

describe('metrics binary COPY writer', () => {
  it('writes the header, typed fields, NULL and the trailer in Postgres binary format', () => {
    const out = new BinaryCopyWriter(8).row(4).int4(7).text('é').null().bool(true).finish();
    expect(hex(out.subarray(0, 19))).to.equal(hex(Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)])));
    expect(hex(out.subarray(19))).to.equal('0004' + '00000004' + '00000007' + '00000002' + 'c3a9' + 'ffffffff' + '00000001' + '01' + 'ffff');
  });

  it('writes int8 (also negative), timestamptz from the 2000 epoch, jsonb and real[]', () => {
    const body = (w: BinaryCopyWriter) => hex(w.finish().subarray(19 + 2, -2));
    expect(body(new BinaryCopyWriter().row(1).int8(2 ** 40 + 5))).to.equal('00000008' + '0000010000000005');
    expect(body(new BinaryCopyWriter().row(1).int8(-2))).to.equal('00000008' + 'fffffffffffffffe');
    expect(body(new BinaryCopyWriter().row(1).timestamptz(Date.UTC(2000, 0, 1, 0, 0, 1)))).to.equal('00000008' + '00000000000f4240');
    expect(body(new BinaryCopyWriter().row(1).jsonb('{}'))).to.equal('00000003' + '01' + '7b7d');
    expect(body(new BinaryCopyWriter().row(1).float4Array([1]))).to.equal(
      '0000001c' + '00000001' + '00000000' + '000002bc' + '00000001' + '00000001' + '00000004' + '3f800000',
    );
  });

  it('grows its buffer for large rows', () => {
    const long = 'x'.repeat(100_000);
    const out = new BinaryCopyWriter(64).row(1).text(long).finish();
    expect(out.length).to.equal(19 + 2 + 4 + 100_000 + 2);
  });
});

describe('metrics canonical hash', () => {
  const spec = familyOfNumber(3)!;
  const payload = (trafficSources: Record<string, number>) =>
    ({
      family: 'viewer_behavior',
      value: { postId: 'p', trafficSources, newViewerFraction: 0.1, returningViewerFraction: 0.2, audienceRegions: {}, watchTimeDistribution: [] },
    }) as MetricPayload;

  const hashOf = (s: typeof spec, observedMs: number, p: MetricPayload) => encodeRecord(s, observedMs, payloadValues(s, p.value)).hash;

  it('ignores map key order and changes with any value, the family or the time', () => {
    const a = hashOf(spec, 1, payload({ a: 0.1, b: 0.2 }));
    expect(hex(hashOf(spec, 1, payload({ b: 0.2, a: 0.1 })))).to.equal(hex(a));
    expect(hex(hashOf(spec, 2, payload({ a: 0.1, b: 0.2 })))).not.to.equal(hex(a));
    expect(hex(hashOf(spec, 1, payload({ a: 0.1, b: 0.3 })))).not.to.equal(hex(a));
    expect(canonicalJson({ z: [{ b: 1, a: 2 }], a: null })).to.equal('{"a":null,"z":[{"a":2,"b":1}]}');
  });

  it('hashes a record read back from storage like the one sent (float32 curves, empty structs)', () => {
    const retention = familyOfNumber(1)!;
    const sent = {
      family: 'retention',
      value: { postId: 'p', views: 1, averageViewDurationS: 1, completionRate: 0.1, rewatchRate: 0, skipRateFirst3s: 0, retentionCurve: [0.3, 0.1] },
    } as MetricPayload;
    const row = {
      post_id: 'p',
      views: '1',
      average_view_duration_s: 1,
      completion_rate: 0.1,
      rewatch_rate: 0,
      skip_rate_first_3s: 0,
      retention_curve: [Math.fround(0.3), Math.fround(0.1)],
    };
    const readBack = payloadFromRow(retention, row);
    expect(hex(hashOf(retention, 5, readBack))).to.equal(hex(hashOf(retention, 5, sent)));
    expect(hex(legacyRecordHash(retention, 5, payloadValues(retention, readBack.value)))).to.equal(
      hex(legacyRecordHash(retention, 5, payloadValues(retention, sent.value))),
    );
  });

  it('encodes the stored fields once: observe time then the columns, jsonb with sorted keys', () => {
    const { fields } = encodeRecord(spec, Date.UTC(2000, 0, 1, 0, 0, 1), payloadValues(spec, payload({ b: 0.2, a: 0.1 }).value));
    expect(hex(fields.subarray(0, 12))).to.equal('00000008' + '00000000000f4240');
    expect(fields.toString('utf8')).to.contain('{"a":0.1,"b":0.2}');
  });

  it('recognises a ledger row hashed the old way (version 1, canonical JSON) as the same payload', () => {
    const values = payloadValues(spec, payload({ a: 0.1, b: 0.2 }).value);
    const record = { index: 0, recordId: 'r', spec, observedMs: 1, values, ...encodeRecord(spec, 1, values) } as PreparedRecord;
    expect(hashMatches(record, record.hash)).to.equal(true);
    expect(hashMatches(record, legacyRecordHash(spec, 1, values))).to.equal(true);
    expect(hashMatches(record, legacyRecordHash(spec, 2, values))).to.equal(false);
    expect(hex(legacyRecordHash(spec, 1, values))).to.not.equal(hex(record.hash));
  });

  it('describes six families, each column with a rule', () => {
    expect(FAMILIES.map((f) => f.family)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    for (const f of FAMILIES) expect(f.postKeyed).to.equal(f.columns[0].column === 'post_id');
  });
});

describe('metrics page tokens', () => {
  it('round-trips a key bound to its query and refuses foreign or malformed tokens', () => {
    const fp = queryFingerprint(['retention', ['p1']]);
    const token = encodePageToken([123, 'r9'], fp);
    expect(decodePageToken(token, fp, 2)).to.deep.equal([123, 'r9']);
    expect(decodePageToken('', fp, 2)).to.equal(undefined);
    for (const [bad, fingerprint] of [
      [token, queryFingerprint(['retention', ['p2']])],
      ['%%%', fp],
      [encodePageToken([1], fp), fp],
    ] as const) {
      try {
        decodePageToken(bad, fingerprint, 2);
        expect.fail('expected INVALID_ARGUMENT');
      } catch (err) {
        expect((err as AppError).field).to.equal('page_token');
      }
    }
  });
});

describe('metrics ingest bookkeeping', () => {
  const spec = familyOfNumber(2)!;
  const rec = (index: number, recordId: string, hashByte: number): PreparedRecord => ({
    index,
    recordId,
    spec,
    observedMs: 0,
    values: [],
    fields: Buffer.alloc(0),
    hash: Buffer.from([hashByte]),
  });

  it('splits repeated ids and resolves them from the first occurrence', () => {
    const { unique, repeats } = splitRepeats([rec(0, 'a', 1), rec(1, 'b', 1), rec(2, 'a', 1), rec(3, 'a', 2)]);
    expect(unique.map((r) => r.index)).to.deep.equal([0, 1]);
    expect(repeats.map((r) => [r.record.index, r.firstPosition])).to.deep.equal([
      [2, 0],
      [3, 0],
    ]);
    expect(repeatOutcome(repeats[0], unique[0], { kind: 'accepted' })).to.deep.equal({ kind: 'duplicate' });
    expect(repeatOutcome(repeats[1], unique[0], { kind: 'accepted' })).to.include({ kind: 'rejected', field: 'record_id' });
    const unknownPost = { kind: 'rejected', field: 'engagement.post_id', reason: 'unknown' } as const;
    expect(repeatOutcome(repeats[0], unique[0], unknownPost)).to.equal(unknownPost);
  });

  it('counts every outcome but keeps only the first N rejections in detail, by position', () => {
    const tally = new IngestTally(2);
    tally.add({ index: 0, recordId: 'a' }, { kind: 'accepted' });
    tally.add({ index: 1, recordId: 'b' }, { kind: 'duplicate' });
    for (const i of [5, 3, 9]) tally.reject({ index: i, recordId: `r${i}`, field: 'f', reason: 'bad' });
    const result = tally.result();
    expect(result).to.deep.include({ acceptedCount: 1, duplicateCount: 1, rejectedCount: 3 });
    expect(result.rejected.map((r) => r.index)).to.deep.equal([3, 5]);
  });
});

describe('metrics platforms', () => {
  it('maps the enum to stored names and back', () => {
    expect([1, 2, 3, 4, 5].map((p) => platformName(p))).to.deep.equal(['tiktok', 'instagram', 'youtube', 'facebook', 'x']);
    expect(platformName(0)).to.equal(undefined);
    expect(platformName(6)).to.equal(undefined);
    expect(platformNumber('x')).to.equal(5);
    expect(platformNumber('myspace')).to.equal(0);
  });
});
