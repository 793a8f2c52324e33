// Writers of exported metric records: CSV (RFC 4180, a header row), NDJSON (one JSON object per line) and Parquet.
// Each writes to a new temporary file beside `out` (src/export/safe-file.ts) and renames it to `out` on close, so a
// failed or cancelled export leaves no half-written file under the requested name.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { FamilySpec } from '../metrics/families.js';
import type { MetricRecord } from '../metrics/metrics.types.js';
import { exportColumns, exportValues, type RecordWriter } from './export-columns.js';
import { openParquetWriter } from './parquet-writer.js';
import { createTempBeside } from './safe-file.js';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One CSV field: quoted when it holds a comma, quote or line break; objects and arrays as JSON. */
export function csvField(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes text to a stream, waiting while its buffer is full. */
function writeText(stream: WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    const flushed = stream.write(text, (err) => {
      if (err) reject(err);
    });
    const done = () => {
      stream.off('error', reject);
      resolve();
    };
    if (flushed) done();
    else stream.once('drain', done);
  });
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

/** A text format: a header (maybe empty) then one line per record. */
function textWriter(out: string, header: string, line: (record: MetricRecord) => string): RecordWriter {
  const temp = createTempBeside(out);
  const stream = createWriteStream('', { fd: temp.fd, autoClose: false });
  let started = false;
  const start = async () => {
    if (!started && header) await writeText(stream, header);
    started = true;
  };
  return {
    async write(records) {
      await start();
      await writeText(stream, records.map(line).join(''));
    },
    async close() {
      await start();
      await endStream(stream);
      temp.commit();
    },
    async abort() {
      stream.destroy();
      temp.discard();
    },
  };
}

/** Opens a writer of `format` for records of `spec` at path `out`. */
export function openRecordWriter(format: ExportFormat, spec: FamilySpec, out: string): RecordWriter {
  const columns = exportColumns(spec);
  switch (format) {
    case 'csv':
      return textWriter(out, `${columns.map((c) => c.name).join(',')}\r\n`, (r) => `${exportValues(spec, r).map(csvField).join(',')}\r\n`);
    case 'ndjson':
      return textWriter(out, '', (r) => {
        const values = exportValues(spec, r);
        return `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c.name, values[i]])))}\n`;
      });
    case 'parquet':
      return openParquetWriter(columns, spec, out);
  }
}
