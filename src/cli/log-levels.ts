// Nest's console logger (migrations, TypeORM, a tool's context) at the configured LOG_LEVEL. Kept
// apart from app-context.ts, which loads the app's modules.
import type { LogLevel } from '@app/config';
import type { LogLevel as NestLogLevel } from '@nestjs/common';

/** Nest's console logger levels for the configured LOG_LEVEL (`info` includes Nest's `log`). */
export function nestLogLevels(level: LogLevel): NestLogLevel[] | false {
  const ordered: Array<[LogLevel, NestLogLevel[]]> = [
    ['fatal', ['fatal']],
    ['error', ['error']],
    ['warn', ['warn']],
    ['info', ['log']],
    ['debug', ['debug']],
    ['trace', ['verbose']],
  ];
  const upTo = ordered.findIndex(([name]) => name === level);
  return upTo < 0 ? false : ordered.slice(0, upTo + 1).flatMap(([, levels]) => levels);
}
