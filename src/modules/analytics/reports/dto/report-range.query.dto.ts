import { ApiProperty } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import {
  IsISO4217CurrencyCode,
  Matches,
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { isCalendarDate } from '../../store-calendar';
import { rangeDays } from '../report-periods';

/** Report dates the store calendar can handle (a local date, not an instant). */
export const EARLIEST_REPORT_DATE = '1970-01-01';
export const LATEST_REPORT_DATE = '2999-12-31';
/** The longest range a report over a range takes, unless it says otherwise (both ends included). */
export const DEFAULT_MAX_RANGE_DAYS = 366;

/** A local calendar date, YYYY-MM-DD, between EARLIEST_REPORT_DATE and LATEST_REPORT_DATE. */
export const isReportDate = (value: unknown): value is string =>
  typeof value === 'string' &&
  isCalendarDate(value) &&
  value >= EARLIEST_REPORT_DATE &&
  value <= LATEST_REPORT_DATE;

/** A report's currency filter: an existing ISO 4217 code, in capitals as the rollups store it (every report alike). */
export const IsReportCurrency = (): PropertyDecorator =>
  applyDecorators(
    Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code in capitals, e.g. EUR' }),
    IsISO4217CurrencyCode(),
  );

/** Validates `isReportDate`. */
export function IsReportDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isReportDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be a calendar date YYYY-MM-DD from ${EARLIEST_REPORT_DATE} to ${LATEST_REPORT_DATE}`,
        ...options,
      },
      validator: { validate: isReportDate },
    });
}

/**
 * On `to`: not before `from`, and the range (both ends included) at most `maxDays(dto)` days. Says
 * nothing when either date is itself invalid (that has its own message).
 */
export function IsReportRangeEnd(
  maxDays: (dto: Record<string, unknown>) => number,
  options?: ValidationOptions,
): PropertyDecorator {
  const problem = (args: ValidationArguments): string | null => {
    const dto = args.object as Record<string, unknown>;
    const from = dto.from;
    const to: unknown = args.value;
    if (!isReportDate(from) || !isReportDate(to)) return null;
    if (to < from) return `to (${to}) must not be before from (${from})`;
    const days = rangeDays(from, to);
    const limit = maxDays(dto);
    return days > limit ? `the range is ${days} days; at most ${limit} are allowed here` : null;
  };
  return (target, propertyName) =>
    registerDecorator({
      name: 'isReportRangeEnd',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (args) => problem(args) ?? 'to is invalid', ...options },
      validator: { validate: (_value: unknown, args?: ValidationArguments) => !args || problem(args) === null },
    });
}

/**
 * `from` and `to` of a report over a range: local dates in the store's time zone, both included.
 * Reports with a limit of their own declare the two fields themselves.
 */
export class ReportRangeQueryDto {
  @ApiProperty({
    format: 'date',
    description: 'First local date of the range (YYYY-MM-DD, in the store time zone), included.',
  })
  @IsReportDate()
  from: string;

  @ApiProperty({
    format: 'date',
    description: `Last local date of the range (YYYY-MM-DD), included; not before \`from\`, at most ${DEFAULT_MAX_RANGE_DAYS} days after it (both ends counted).`,
  })
  @IsReportDate()
  @IsReportRangeEnd(() => DEFAULT_MAX_RANGE_DAYS)
  to: string;
}
