// Structured JSON logs (pino) for the whole process.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the process logger; `level` comes from the LOG_LEVEL setting. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'stakazo-ml' }, timestamp: pino.stdTimeFunctions.isoTime });
}
