/**
 * Logging: the `Logger` service and its default, `ConsoleLogger`.
 *
 * Lines look like MMEngine's (`2026/11/28 14:03:44 - detlab - INFO - message`). Information goes to stdout,
 * warnings and errors to stderr; `addFile` mirrors every line into a text log (the runner's work-dir log).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** What detlab code logs through; resolve it with the `LOGGER` token. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Lines below this level are dropped. */
  level: LogLevel;
  /** Also writes every line to `file` (created with its folders). */
  addFile(file: string): void;
}

/** Parses a level name (case-insensitive; `warning` accepted), or undefined for anything else. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.toLowerCase();
  if (v === 'warning') return 'warn';
  return v && v in LEVEL_ORDER ? (v as LogLevel) : undefined;
}

/** The default logger: console plus optional files. Level from `DETLAB_LOG_LEVEL`, else `info`. */
export class ConsoleLogger implements Logger {
  level: LogLevel = parseLogLevel(process.env.DETLAB_LOG_LEVEL) ?? 'info';
  private readonly files: string[] = [];

  constructor(private readonly name = 'detlab') {}

  debug(message: string): void {
    this.write('debug', message);
  }

  info(message: string): void {
    this.write('info', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  error(message: string): void {
    this.write('error', message);
  }

  addFile(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    this.files.push(file);
  }

  private write(level: LogLevel, message: string): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.level]) return;
    const line = `${timestamp(new Date())} - ${this.name} - ${level === 'warn' ? 'WARNING' : level.toUpperCase()} - ${message}\n`;
    (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(line);
    for (const file of this.files) appendFileSync(file, line);
  }
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
