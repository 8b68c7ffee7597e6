import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { DomainError } from '../errors/domain-error';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` on every list (DESIGN.md API conventions). */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s `nextCursor`.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export class InvalidCursorError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'invalid-cursor';
  readonly title = 'The cursor is not valid';
  constructor() {
    super('The cursor is not one this API issued for this list; start again without it.');
  }
}

/** Cursors are opaque to clients: the position (e.g. the last id seen) wrapped in base64url JSON. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidCursorError();
  const position = parsed as Record<string, unknown>;
  const result = {} as Record<K, string>;
  for (const key of keys) {
    const value = position[key];
    if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidCursorError();
    result[key] = String(value);
  }
  return result;
}

/**
 * Turns `limit + 1` rows (fetched to learn whether more exist) into a page; `positionOf` gives the
 * cursor position of the last row returned.
 */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
  positionOf: (row: Row) => Record<string, string | number>,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: pageRows.map(map),
    nextCursor: hasMore ? encodeCursor(positionOf(pageRows[pageRows.length - 1])) : null,
  };
}
