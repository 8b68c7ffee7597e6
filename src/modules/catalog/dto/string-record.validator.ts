import { registerDecorator, ValidationOptions } from 'class-validator';

export interface StringRecordLimits {
  maxKeys: number;
  maxKeyLength: number;
  maxValueLength: number;
}

/** A flat object of non-empty string keys to string values, within limits (attributes, option values). */
export function IsStringRecord(limits: StringRecordLimits, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringRecord',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be an object of at most ${limits.maxKeys} string values (keys up to ${limits.maxKeyLength} characters, values up to ${limits.maxValueLength})`,
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          if (entries.length > limits.maxKeys) return false;
          return entries.every(
            ([key, item]) =>
              key.trim().length > 0 &&
              key.length <= limits.maxKeyLength &&
              typeof item === 'string' &&
              item.length <= limits.maxValueLength,
          );
        },
      },
    });
}
