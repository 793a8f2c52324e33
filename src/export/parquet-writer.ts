// Parquet export through hyparquet-writer (pure JavaScript): an explicit schema per family, one row group per
// PARQUET_ROW_GROUP_RECORDS records, so memory stays bounded however long the export.
import { writeSync } from 'node:fs';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { FamilySpec } from '../metrics/families.js';
import type { MetricRecord } from '../metrics/metrics.types.js';
import { exportValues, type ExportColumn, type RecordWriter } from './export-columns.js';
import { createTempBeside } from './safe-file.js';

/** Records buffered into one row group (about a few MB for the widest family). */
const PARQUET_ROW_GROUP_RECORDS = 10_000;

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

/** The schema elements of one column: int8 → INT64, float8 → DOUBLE, maps → JSON text, curves → LIST of FLOAT. */
function schemaOf(column: ExportColumn): SchemaElement[] {
  const name = column.name;
  switch (column.type) {
    case 'text':
    case 'platform':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' }];
    case 'timestamp':
      return [{ name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' }];
    case 'int8':
      return [{ name, type: 'INT64', repetition_type: 'REQUIRED' }];
    case 'float8':
      return [{ name, type: 'DOUBLE', repetition_type: 'REQUIRED' }];
    case 'bool':
      return [{ name, type: 'BOOLEAN', repetition_type: 'REQUIRED' }];
    case 'jsonb':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'REQUIRED' }];
    case 'float4[]':
      return [
        { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
      ];
  }
}

/** The value as the writer wants it: INT64 columns take bigints. */
function parquetValue(column: ExportColumn, value: unknown): unknown {
  return column.type === 'int8' ? BigInt(Math.trunc(Number(value))) : value;
}

/**
 * hyparquet-writer's file writer on a descriptor we opened (its own opens the file by name, following links):
 * bytes are buffered and written a megabyte at a time.
 */
function descriptorWriter(fd: number): ByteWriter {
  const writer = new ByteWriter();
  const chunkBytes = 1_000_000;
  const flush = () => {
    writeSync(fd, new Uint8Array(writer.buffer, 0, writer.index));
    writer.index = 0;
  };
  const grow = writer.ensure.bind(writer);
  writer.ensure = (size: number) => {
    if (writer.index > chunkBytes) flush();
    grow(size);
  };
  writer.finish = flush;
  return writer;
}

/** Opens a Parquet writer of `columns` at `out` (through a temporary file beside it: src/export/safe-file.ts). */
export function openParquetWriter(columns: ExportColumn[], spec: FamilySpec, out: string): RecordWriter {
  const temp = createTempBeside(out);
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.flatMap(schemaOf)];
  const writer = new ParquetWriter({
    writer: descriptorWriter(temp.fd),
    schema,
    createdBy: 'stakazo-ml export',
    kvMetadata: [{ key: 'stakazo.family', value: spec.name }],
  });
  let buffered: unknown[][] = columns.map(() => []);
  let bufferedCount = 0;
  const flush = async () => {
    if (bufferedCount === 0) return;
    const columnData = columns.map((c, i) => ({ name: c.name, data: buffered[i] }));
    buffered = columns.map(() => []);
    bufferedCount = 0;
    await writer.write({ columnData, rowGroupSize: PARQUET_ROW_GROUP_RECORDS });
  };
  return {
    async write(records: MetricRecord[]) {
      for (const record of records) {
        const values = exportValues(spec, record);
        for (let i = 0; i < columns.length; i++) buffered[i].push(parquetValue(columns[i], values[i]));
      }
      bufferedCount += records.length;
      if (bufferedCount >= PARQUET_ROW_GROUP_RECORDS) await flush();
    },
    async close() {
      await flush();
      writer.finish();
      temp.commit();
    },
    async abort() {
      temp.discard();
    },
  };
}
