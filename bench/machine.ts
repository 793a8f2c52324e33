// What the benchmark ran on: CPU, cores, load, Node, and the database and pgvector versions.
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  /** 1-minute load average when the run started: other work on the machine makes absolute numbers noisy. */
  loadAverage1m: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
