import { ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { type FieldErrors, ValidationFailedError } from './domain-errors';

export type { FieldErrors } from './domain-errors';

export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
} satisfies ValidationPipeOptions;

/**
 * The messages of one field. A required field that is absent gets `<field> is required` alone: its
 * other constraints (length, format) describe a value the client never sent and only mislead.
 */
function messagesOf(error: ValidationError): string[] {
  const messages = Object.values(error.constraints ?? {});
  if (messages.length > 0 && error.value === undefined) return [`${error.property} is required`];
  return messages;
}

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    const messages = messagesOf(error);
    if (messages.length > 0) out[path] = messages.map((m) => (prefix ? `${path}: ${m}` : m));
    Object.assign(out, flattenValidationErrors(error.children ?? [], path));
  }
  return out;
}

/** A 400 whose body names every bad field, in `message` (Nest's usual list) and in `fields`. */
export function validationFailed(fields: FieldErrors): ValidationFailedError {
  return new ValidationFailedError(fields);
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATION_OPTIONS,
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}

/** Validates one plain object as `cls` with the global pipe's rules; throws the same 400 shape. */
export function validateAs<T extends object>(cls: ClassConstructor<T>, value: unknown, prefix = ''): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationFailed({ [prefix || 'body']: [`${prefix || 'body'} must be a JSON object`] });
  }
  const instance = plainToInstance(cls, value);
  const errors = validateSync(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw validationFailed(flattenValidationErrors(errors, prefix));
  return instance;
}
