// The columns of an exported family: record_id, observe_time, then the family's own columns (as the contract and
// the tables name them), with each value of a record flattened to one row. Shared by every export format.
import type { ColumnType, FamilySpec } from '../metrics/families.js';
import type { MetricRecord } from '../metrics/metrics.types.js';

/** An exported column: its name and how its values are stored. `timestamp` is the observe time. */
export interface ExportColumn {
  name: string;
  type: ColumnType | 'timestamp';
}

/** The columns of an export of `spec`, in file order. */
export function exportColumns(spec: FamilySpec): ExportColumn[] {
  return [{ name: 'record_id', type: 'text' }, { name: 'observe_time', type: 'timestamp' }, ...spec.columns.map((c) => ({ name: c.column, type: c.type }))];
}

/**
 * A record's values in the order of `exportColumns`: texts as strings, counts and rates as numbers, the observe
 * time as a Date, maps and structs as objects, curves as number arrays.
 */
export function exportValues(spec: FamilySpec, record: MetricRecord): unknown[] {
  const value = record.payload.value as unknown as Record<string, unknown>;
  return [record.recordId, record.observedAt, ...spec.columns.map((c) => value[c.property])];
}

/** Receives chunks of records in order; `close` finishes the file, `abort` removes what was written. */
export interface RecordWriter {
  write(records: MetricRecord[]): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}
