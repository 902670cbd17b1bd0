import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isLocalDate, parseInstant } from './zoned-time';

/** A string holding an ISO 8601 instant (date, time and offset); transformed to a Date. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return function (target: object, propertyName: string | symbol): void {
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be an ISO 8601 instant with a time zone offset, e.g. 2026-11-25T09:30:00-06:00 or 2026-11-25T15:30:00Z`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => value instanceof Date && !Number.isNaN(value.getTime()),
      },
    });
    // Runs before validation: a valid string becomes a Date, anything else stays as is and fails.
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      return parseInstant(value) ?? value;
    })(target, propertyName);
  };
}

export function IsLocalDate(options?: ValidationOptions): PropertyDecorator {
  return function (target: object, propertyName: string | symbol): void {
    registerDecorator({
      name: 'isLocalDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be a calendar date YYYY-MM-DD`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isLocalDate(value) },
    });
  };
}

/** Query-string integers: only plain digits convert, so `1 OR 1=1` or `0x10` fail validation by name. */
export const ToInt = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value,
  );

export const ToBoolean = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    return value;
  });

/** numeric(p,2) inputs: a JSON number, or a decimal string such as "12.30" (as clients keep exact decimals). */
export const ToDecimal = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,15}(\.\d{1,15})?$/.test(value) ? Number(value) : value,
  );
