// Run by `npm run generate` after `buf generate`: ts-proto's longToNumber throws on a 64-bit value beyond 2^53,
// which fails the decoding of the whole request (INTERNAL "Error deserializing request") for one bad count in one
// record of a batch. Patched to return the (unsafe) number instead, so that the edge rejects just that record:
// every 64-bit request field is validated with Number.isSafeInteger (src/metrics/record.validate.ts).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const THROWS =
  /\n {2}if \(num > globalThis\.Number\.MAX_SAFE_INTEGER\) \{\n {4}throw new globalThis\.Error\("Value is larger than Number\.MAX_SAFE_INTEGER"\);\n {2}\}\n {2}if \(num < globalThis\.Number\.MIN_SAFE_INTEGER\) \{\n {4}throw new globalThis\.Error\("Value is smaller than Number\.MIN_SAFE_INTEGER"\);\n {2}\}/;
const NOTE = '\n  // NOTE (scripts/patch-gen.mjs): beyond ±2^53 the number is returned unsafe; the edge rejects it per record.';

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

let patched = 0;
for (const path of files('src/gen')) {
  const text = readFileSync(path, 'utf8');
  if (!text.includes('function longToNumber(')) continue;
  if (!THROWS.test(text)) throw new Error(`patch-gen: ${path} has a longToNumber this script does not recognise; update the pattern`);
  writeFileSync(path, text.replace(THROWS, NOTE));
  patched++;
}
console.log(`patch-gen: longToNumber patched in ${patched} files`);

// Every Struct field (metadata, context, metadata_contains) is decoded through src/grpc/bounded-struct.ts, which
// checks the Struct's keys, depth and size on its wire bytes before converting it (src/domain/struct-bounds.ts).
const STRUCT_CALL = /Struct\.unwrap\(Struct\.decode\(reader, reader\.uint32\(\)\)\)/g;
const STRUCT_IMPORT = 'import { Struct } from "../../../google/protobuf/struct.js";';
let bounded = 0;
for (const path of files('src/gen/stakazo')) {
  const text = readFileSync(path, 'utf8');
  if (!text.includes('Struct.unwrap(Struct.decode(reader, reader.uint32()))')) continue;
  if (!text.includes(STRUCT_IMPORT)) throw new Error(`patch-gen: ${path} decodes a Struct but imports it differently; update the pattern`);
  const next = text
    .replace(STRUCT_CALL, 'decodeBoundedStruct(reader, reader.uint32())')
    .replace(STRUCT_IMPORT, `${STRUCT_IMPORT}\nimport { decodeBoundedStruct } from "../../../../grpc/bounded-struct.js"; // scripts/patch-gen.mjs`);
  writeFileSync(path, next);
  bounded++;
}
console.log(`patch-gen: Struct fields bounded in ${bounded} files`);
