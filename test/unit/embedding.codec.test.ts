// Pure encoders of the embedding area: packed float32, float16 bits, pgvector text and binary forms, page tokens.
import { expect } from 'chai';
import { BinaryCopyWriter } from '../../src/db/binary-copy.js';
import { scrollFingerprint } from '../../src/embedding/points/point-filter.js';
import { halfvecField, vectorField } from '../../src/embedding/vectors/pgvector-binary.js';
import { decodePageToken, encodePageToken } from '../../src/domain/paging.js';
import { decodeFloat32Le, encodeFloat32Le, float16Bits, fromPgvectorText, toPgvectorText } from '../../src/embedding/vectors/vector-codec.js';

describe('embedding vector codec', () => {
  it('decodes packed little-endian float32 even from an unaligned offset', () => {
    const backing = Buffer.alloc(13);
    backing.writeFloatLE(1.5, 1);
    backing.writeFloatLE(-2, 5);
    backing.writeFloatLE(1e-3, 9);
    const unaligned = backing.subarray(1);
    expect(unaligned.byteOffset % 4).to.not.equal(0);
    expect(Array.from(decodeFloat32Le(unaligned))).to.deep.equal([1.5, -2, Math.fround(1e-3)]);
  });

  it('round-trips float32 through packed bytes and pgvector text', () => {
    const values = Float32Array.of(0.1, -3.25, 1e-7, 65504);
    expect(decodeFloat32Le(encodeFloat32Le(values))).to.deep.equal(values);
    expect(fromPgvectorText(toPgvectorText(values))).to.deep.equal(values);
    expect(fromPgvectorText('[1,2.5,-3e-05]')).to.deep.equal(Float32Array.of(1, 2.5, -3e-5));
  });

  it('converts to float16 bits with round-to-nearest-even, subnormals, overflow and NaN', () => {
    expect(float16Bits(1)).to.equal(0x3c00);
    expect(float16Bits(-2)).to.equal(0xc000);
    expect(float16Bits(0.1)).to.equal(0x2e66);
    expect(float16Bits(65504)).to.equal(0x7bff);
    expect(float16Bits(65520)).to.equal(0x7c00); // rounds up to infinity
    expect(float16Bits(1e6)).to.equal(0x7c00);
    expect(float16Bits(-0)).to.equal(0x8000);
    expect(float16Bits(2 ** -24)).to.equal(0x0001); // smallest subnormal
    expect(float16Bits(2 ** -14)).to.equal(0x0400); // smallest normal
    expect(float16Bits(2 ** -26)).to.equal(0); // underflows
    expect(float16Bits(1 + 2 ** -11)).to.equal(0x3c00); // tie, rounds to even
    expect(float16Bits(1 + 3 * 2 ** -11)).to.equal(0x3c02); // tie, rounds to even (up)
    expect(float16Bits(Infinity)).to.equal(0x7c00);
    expect(float16Bits(NaN) & 0x7c00).to.equal(0x7c00);
    expect(float16Bits(NaN) & 0x3ff).to.not.equal(0);
  });
});

describe('embedding binary COPY encoder', () => {
  it('writes the header, one tuple per row with field lengths, NULLs and the trailer', () => {
    const data = new BinaryCopyWriter().row(2).text('ab').null().finish();
    const expected = Buffer.concat([
      Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]), // flags, header extension
      Buffer.from([0, 2]), // two fields
      Buffer.from([0, 0, 0, 2]),
      Buffer.from('ab'),
      Buffer.from([0xff, 0xff, 0xff, 0xff]), // NULL
      Buffer.from([0xff, 0xff]), // trailer
    ]);
    expect(data.equals(expected)).to.equal(true);
  });

  it('encodes pgvector vector and halfvec as dimension, unused, then big-endian components; jsonb with version 1', () => {
    expect(vectorField(Float32Array.of(1, -2)).equals(Buffer.from([0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0]))).to.equal(true);
    expect(halfvecField(Float32Array.of(1, -2)).equals(Buffer.from([0, 2, 0, 0, 0x3c, 0x00, 0xc0, 0x00]))).to.equal(true);
    const jsonb = new BinaryCopyWriter()
      .row(1)
      .jsonb(JSON.stringify({ a: 'é' }))
      .finish();
    const field = Buffer.concat([Buffer.from([0, 0, 0, 11, 1]), Buffer.from('{"a":"é"}', 'utf8')]);
    expect(jsonb.subarray(21, 21 + field.length).equals(field)).to.equal(true);
  });
});

describe('embedding page tokens', () => {
  it('round-trips the last id and refuses tokens it did not issue', () => {
    const fingerprint = scrollFingerprint('clip', { contentIds: ['c1'] });
    expect(decodePageToken(encodePageToken(['p/42 ünïcode'], fingerprint), fingerprint, 1)).to.deep.equal(['p/42 ünïcode']);
    expect(decodePageToken('', fingerprint, 1)).to.equal(undefined);
    expect(() => decodePageToken('not-a-token', fingerprint, 1)).to.throw(/page_token is malformed/);
    const otherFilter = scrollFingerprint('clip', { contentIds: ['c2'] });
    expect(() => decodePageToken(encodePageToken(['x'], fingerprint), otherFilter, 1)).to.throw(/page_token belongs to a query with other filters/);
  });
});
