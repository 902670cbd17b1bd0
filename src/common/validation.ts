import { BadRequestException, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
} satisfies ValidationPipeOptions;

/** Field path → messages, e.g. `{ publishedAt: ['publishedAt must be an ISO 8601 instant …'] }`. */
export type FieldErrors = Record<string, string[]>;

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) out[path] = messages.map((m) => (prefix ? `${path}: ${m}` : m));
    Object.assign(out, flattenValidationErrors(error.children ?? [], path));
  }
  return out;
}

/** A 400 whose body names every bad field, in `message` (Nest's usual list) and in `fields`. */
export function validationException(fields: FieldErrors): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: Object.values(fields).flat(),
    fields,
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATION_OPTIONS,
    exceptionFactory: (errors) => validationException(flattenValidationErrors(errors)),
  });
}

/** Validates one plain object as `cls` with the global pipe's rules; throws the same 400 shape. */
export function validateAs<T extends object>(cls: ClassConstructor<T>, value: unknown, prefix = ''): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationException({ [prefix || 'body']: [`${prefix || 'body'} must be a JSON object`] });
  }
  const instance = plainToInstance(cls, value);
  const errors = validateSync(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw validationException(flattenValidationErrors(errors, prefix));
  return instance;
}
