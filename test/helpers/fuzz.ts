// Fuzzing helpers: random and mutated protobuf bytes built from the service descriptors, and a raw grpc-js
// client that sends Buffers as they are, so malformed messages reach the server's deserializer.
import { readFileSync } from 'node:fs';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { createFileRegistry, fromBinary, ScalarType, type DescField, type DescMessage, type DescMethod } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { DESCRIPTOR_SET_PATH, SERVICE_NAMES } from '../../src/server.js';

/** A seeded xorshift32 generator in [0, 1): each fuzz input is reproducible from its index. */
function seededRandom(seed: number): () => number {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** Every RPC of our three services, from the descriptor set the server serves over reflection. */
export function allMethods(): DescMethod[] {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET_PATH)));
  return SERVICE_NAMES.flatMap((name) => registry.getService(name)?.methods ?? []);
}

/** The gRPC path of a method, e.g. /stakazo.ml.v1.EmbeddingService/Search. */
export function pathOf(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/** Strings worth trying: empty, real names (so some calls reach the database), odd bytes, long ones. */
export interface FuzzDictionary {
  strings: string[];
}

const ODD_STRINGS = [
  '',
  ' ',
  'a',
  '\u0000',
  'x\u0000y',
  '\uffff',
  '\ud800',
  "'; drop table tenants; --",
  '%',
  '_',
  '\\',
  '2026-01-01',
  '2026-02-30',
  '9999-12-31',
  '0000-00-00',
  '-1',
  'NaN',
  '{}',
  'null',
  '../../etc/passwd',
  'é漢字🙂',
  'Europe/Madrid',
  'Not/AZone',
  'UTC',
];
const ODD_NUMBERS = [
  0,
  1,
  -1,
  2,
  3,
  7,
  100,
  1000,
  1001,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 32 - 1,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  // Timestamps' seconds at the edges: year 31 (PGlite misread years 1–99), year 10000 (past protobuf's range).
  -61_200_000_000,
  253_402_300_800,
];
/** 64-bit values beyond 2^53 (decoded as unsafe numbers; every such field must be rejected per record). */
const HUGE_INT64 = ['9007199254740993', '-9223372036854775808'];
const HUGE_UINT64 = ['9007199254740993', '18446744073709551615'];
const ODD_FLOATS = [0, -0, 1, -1, 0.5, 1e-45, 3.4e38, 1e308, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5];

/** Knobs of one generated message. */
interface GenOptions {
  random: () => number;
  dictionary: FuzzDictionary;
  /** Probability that an optional field is written at all. */
  fieldProbability: number;
  /** Probability that a field is written with the wrong wire type. */
  wrongTypeProbability: number;
  /** Largest repeated-field length. */
  maxRepeat: number;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomString(o: GenOptions): string {
  const r = o.random();
  if (r < 0.55) return pick(o.random, o.dictionary.strings);
  if (r < 0.85) return pick(o.random, ODD_STRINGS);
  if (r < 0.97) return Array.from({ length: Math.floor(o.random() * 40) }, () => String.fromCharCode(32 + Math.floor(o.random() * 95))).join('');
  return 'x'.repeat(1 + Math.floor(o.random() * 70_000));
}

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

function writeScalar(w: BinaryWriter, type: ScalarType, o: GenOptions): void {
  const int = () => (o.random() < 0.7 ? pick(o.random, ODD_NUMBERS) : Math.floor((o.random() - 0.3) * 2 ** 20));
  switch (type) {
    case ScalarType.DOUBLE:
      w.double(pick(o.random, ODD_FLOATS));
      break;
    case ScalarType.FLOAT:
      w.fixed32(new Uint32Array(Float32Array.of(o.random() < 0.5 ? o.random() : pick(o.random, ODD_FLOATS)).buffer)[0]!);
      break;
    case ScalarType.INT64:
      w.int64(o.random() < 0.05 ? pick(o.random, HUGE_INT64) : int());
      break;
    case ScalarType.UINT64:
      w.uint64(o.random() < 0.05 ? pick(o.random, HUGE_UINT64) : Math.abs(int()));
      break;
    case ScalarType.INT32:
      w.int32(int() | 0);
      break;
    case ScalarType.FIXED64:
      w.fixed64(Math.abs(int()));
      break;
    case ScalarType.FIXED32:
      w.fixed32(Math.abs(int()) >>> 0);
      break;
    case ScalarType.BOOL:
      w.bool(o.random() < 0.5);
      break;
    case ScalarType.STRING:
      w.string(randomString(o));
      break;
    case ScalarType.BYTES:
      w.bytes(randomBytes(o.random, Math.floor(o.random() * (o.random() < 0.9 ? 64 : 20_000))));
      break;
    case ScalarType.UINT32:
      w.uint32(Math.abs(int()) >>> 0);
      break;
    case ScalarType.SFIXED32:
      w.sfixed32(int() | 0);
      break;
    case ScalarType.SFIXED64:
      w.sfixed64(int());
      break;
    case ScalarType.SINT32:
      w.sint32(int() | 0);
      break;
    case ScalarType.SINT64:
      w.sint64(int());
      break;
  }
}

function wireTypeOf(type: ScalarType): WireType {
  switch (type) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    default:
      return WireType.Varint;
  }
}

/** Writes the field with a wire type it does not have (a "wrong type" message). */
function writeWrongType(w: BinaryWriter, number: number, o: GenOptions): void {
  const choice = Math.floor(o.random() * 4);
  if (choice === 0) w.tag(number, WireType.Varint).uint64(Math.floor(o.random() * 2 ** 40));
  else if (choice === 1) w.tag(number, WireType.Bit32).fixed32(Math.floor(o.random() * 2 ** 32));
  else if (choice === 2) w.tag(number, WireType.Bit64).fixed64(Math.floor(o.random() * 2 ** 40));
  else w.tag(number, WireType.LengthDelimited).bytes(randomBytes(o.random, Math.floor(o.random() * 32)));
}

function writeEnumValue(w: BinaryWriter, field: { enum?: { values: { number: number }[] } }, o: GenOptions): void {
  const values = field.enum?.values ?? [];
  w.int32(o.random() < 0.8 && values.length > 0 ? pick(o.random, values).number : pick(o.random, ODD_NUMBERS) | 0);
}

const HUGE_LIST_BYTES = 12 * 1024 * 1024;

function repeatCount(o: GenOptions, depth: number): number {
  const r = o.random();
  if (r < 0.85) return Math.floor(o.random() * 4);
  if (r < 0.98 || depth > 0) return Math.floor(o.random() * 64);
  return Math.floor(o.random() * o.maxRepeat);
}

function writeField(w: BinaryWriter, field: DescField, o: GenOptions, depth: number): void {
  const n = field.number;
  if (o.random() < o.wrongTypeProbability) {
    writeWrongType(w, n, o);
    return;
  }
  switch (field.fieldKind) {
    case 'scalar':
      w.tag(n, wireTypeOf(field.scalar));
      writeScalar(w, field.scalar, o);
      return;
    case 'enum':
      w.tag(n, WireType.Varint);
      writeEnumValue(w, field, o);
      return;
    case 'message':
      if (depth > 40) return;
      w.tag(n, WireType.LengthDelimited).bytes(generateMessage(field.message, o, depth + 1));
      return;
    case 'list': {
      // Huge lists only at the top level, and at most ~12 MB of them, so a message stays under the receive limit.
      const count = repeatCount(o, depth);
      const sized = (element: Uint8Array) => Math.min(count, Math.floor(HUGE_LIST_BYTES / (element.length + 4)));
      if (field.listKind === 'message') {
        if (depth > 40) return;
        // Huge lists repeat one encoded element: cheap to build, still huge on the wire.
        const element = count > 64 ? generateMessage(field.message, o, depth + 1) : undefined;
        const n = element ? sized(element) : count;
        for (let i = 0; i < n; i++) w.tag(field.number, WireType.LengthDelimited).bytes(element ?? generateMessage(field.message, o, depth + 1));
      } else if (field.listKind === 'enum') {
        for (let i = 0; i < count; i++) {
          w.tag(n, WireType.Varint);
          writeEnumValue(w, field, o);
        }
      } else if (field.scalar === ScalarType.STRING || field.scalar === ScalarType.BYTES) {
        const one = new BinaryWriter();
        writeScalar(one, field.scalar, o);
        const element = one.finish();
        for (let i = 0, size = count > 64 ? sized(element) : count; i < size; i++) {
          if (count <= 64) writeScalar(one, field.scalar, o);
          w.tag(n, WireType.LengthDelimited).raw(count > 64 ? element : one.finish());
        }
      } else {
        w.tag(n, WireType.LengthDelimited).fork();
        for (let i = 0; i < count; i++) writeScalar(w, field.scalar, o);
        w.join();
      }
      return;
    }
    case 'map': {
      const count = Math.min(repeatCount(o, depth), 10_000);
      for (let i = 0; i < count; i++) {
        const entry = new BinaryWriter();
        entry.tag(1, wireTypeOf(field.mapKey));
        writeScalar(entry, field.mapKey, o);
        if (field.mapKind === 'message') {
          if (depth <= 40) entry.tag(2, WireType.LengthDelimited).bytes(generateMessage(field.message, o, depth + 1));
        } else if (field.mapKind === 'enum') {
          entry.tag(2, WireType.Varint);
          writeEnumValue(entry, field, o);
        } else {
          entry.tag(2, wireTypeOf(field.scalar));
          writeScalar(entry, field.scalar, o);
        }
        w.tag(n, WireType.LengthDelimited).bytes(entry.finish());
      }
    }
  }
}

/** A random message of type `desc`: every field present with some probability, values from the dictionary. */
export function generateMessage(desc: DescMessage, o: GenOptions, depth = 0): Uint8Array {
  const w = new BinaryWriter();
  const fieldProbability = o.fieldProbability / (1 + depth / 3);
  for (const field of desc.fields) {
    if (field.oneof && o.random() < 0.5) continue;
    if (o.random() < fieldProbability) writeField(w, field, o, depth);
  }
  // Now and then an unknown field, which a decoder must skip.
  if (o.random() < 0.05) w.tag(900 + Math.floor(o.random() * 100), WireType.LengthDelimited).bytes(randomBytes(o.random, 8));
  return w.finish();
}

/** A google.protobuf.Struct nested `depth` levels deep ({"a": {"a": …}}), as bytes of field `number`. */
export function deepStruct(depth: number): Uint8Array {
  // Struct{1: map<string, Value>}; Value{5: Struct}; innermost Value{3: string}.
  let value = new BinaryWriter().tag(3, WireType.LengthDelimited).string('leaf').finish();
  for (let i = 0; i < depth; i++) {
    const entry = new BinaryWriter().tag(1, WireType.LengthDelimited).string('a').tag(2, WireType.LengthDelimited).bytes(value).finish();
    const struct = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(entry).finish();
    value = new BinaryWriter().tag(5, WireType.LengthDelimited).bytes(struct).finish();
  }
  // `value` is a Value holding a Struct: unwrap its outer Value to return the Struct itself.
  const entry = new BinaryWriter().tag(1, WireType.LengthDelimited).string('root').tag(2, WireType.LengthDelimited).bytes(value).finish();
  return new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(entry).finish();
}

/** Mutations of a valid message: byte flips, truncation, splices, duplicated tails. */
export function mutate(valid: Uint8Array, random: () => number): Uint8Array {
  const bytes = Uint8Array.from(valid);
  const kind = Math.floor(random() * 4);
  if (bytes.length === 0 || kind === 0) return randomBytes(random, Math.floor(random() * 200));
  if (kind === 1) return bytes.subarray(0, Math.floor(random() * bytes.length));
  if (kind === 2) {
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips; i++) bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
    return bytes;
  }
  const cut = Math.floor(random() * bytes.length);
  return Buffer.concat([bytes.subarray(0, cut), randomBytes(random, 1 + Math.floor(random() * 16)), bytes.subarray(cut)]);
}

/** The kinds of fuzz input, for the report. */
export type FuzzKind = 'schema-random' | 'schema-wrong-types' | 'seed-mutated' | 'seed-truncated' | 'random-bytes' | 'huge-repeated' | 'deep-struct';

/** Builds the `i`-th fuzz input for `method`, given its valid seeds. */
export function fuzzInput(method: DescMethod, seeds: Uint8Array[], dictionary: FuzzDictionary, seed: number): { kind: FuzzKind; bytes: Uint8Array } {
  const random = seededRandom(seed);
  const base: GenOptions = { random, dictionary, fieldProbability: 0.7, wrongTypeProbability: 0, maxRepeat: 64 };
  const r = random();
  if (r < 0.3) return { kind: 'schema-random', bytes: generateMessage(method.input, base) };
  if (r < 0.4) return { kind: 'schema-wrong-types', bytes: generateMessage(method.input, { ...base, wrongTypeProbability: 0.2 }) };
  if (r < 0.6 && seeds.length > 0) return { kind: 'seed-mutated', bytes: mutate(pick(random, seeds), random) };
  if (r < 0.7 && seeds.length > 0) {
    const valid = pick(random, seeds);
    return { kind: 'seed-truncated', bytes: valid.subarray(0, Math.floor(random() * valid.length)) };
  }
  if (r < 0.8) return { kind: 'random-bytes', bytes: randomBytes(random, Math.floor(random() * 512)) };
  if (r < 0.985) return { kind: 'schema-random', bytes: generateMessage(method.input, { ...base, fieldProbability: 0.95 }) };
  if (r < 0.995) return { kind: 'huge-repeated', bytes: generateMessage(method.input, { ...base, fieldProbability: 1, maxRepeat: 200_000 }) };
  // A deep Struct where the request has one (up to two levels down), appended to a random valid-looking message.
  const depth = pick(random, [20, 90, 99, 101, 500, 5000]);
  const path = structPath(method.input, 3);
  const prefix = seeds.length > 0 ? pick(random, seeds) : generateMessage(method.input, base);
  if (!path) return { kind: 'deep-struct', bytes: generateMessage(method.input, { ...base, fieldProbability: 1 }) };
  let bytes = deepStruct(depth);
  for (const number of [...path].reverse()) bytes = new BinaryWriter().tag(number, WireType.LengthDelimited).bytes(bytes).finish();
  return { kind: 'deep-struct', bytes: Buffer.concat([prefix, bytes]) };
}

/** Field numbers leading from `desc` to a google.protobuf.Struct field, at most `levels` deep. */
function structPath(desc: DescMessage, levels: number): number[] | undefined {
  if (levels === 0) return undefined;
  for (const field of desc.fields) {
    const message = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
    if (!message) continue;
    if (message.typeName === 'google.protobuf.Struct') return [field.number];
    const rest = structPath(message, levels - 1);
    if (rest) return [field.number, ...rest];
  }
  return undefined;
}

/** The outcome of one raw call: its status code and details. */
export interface RawOutcome {
  code: number;
  details: string;
}

const identity = (x: Buffer) => x;

/** A grpc-js client that sends and receives raw bytes. */
export class RawClient {
  readonly client: Client;

  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
  }

  /** Sends `messages` (one for unary and server-streaming methods) and resolves with the final status. */
  call(method: DescMethod, messages: Uint8Array[], deadlineMs: number, metadata = new Metadata()): Promise<RawOutcome> {
    const path = pathOf(method);
    const options = { deadline: new Date(Date.now() + deadlineMs) };
    const settle = (err: ServiceError | null): RawOutcome => (err ? { code: err.code, details: err.details } : { code: 0, details: '' });
    return new Promise((resolve) => {
      const first = Buffer.from(messages[0] ?? new Uint8Array());
      if (method.methodKind === 'unary') {
        this.client.makeUnaryRequest(path, identity, identity, first, metadata, options, (err) => resolve(settle(err)));
      } else if (method.methodKind === 'server_streaming') {
        const stream = this.client.makeServerStreamRequest(path, identity, identity, first, metadata, options);
        stream.on('data', () => undefined);
        stream.on('error', () => undefined);
        stream.on('status', (s) => resolve({ code: s.code, details: s.details }));
      } else {
        const stream = this.client.makeClientStreamRequest(path, identity, identity, metadata, options, (err) => resolve(settle(err)));
        stream.on('error', () => undefined);
        for (const m of messages) stream.write(Buffer.from(m));
        stream.end();
      }
    });
  }

  close(): void {
    this.client.close();
  }
}

export { gcNow, heapAfterGc } from '../../scripts/soak/memory.js';
