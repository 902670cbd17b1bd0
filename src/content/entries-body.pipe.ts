import { Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../common/domain-errors';
import { validateAs, validationFailed } from '../common/validation';
import { CreateEntryDto, MAX_ENTRIES_PER_REQUEST } from './dto/entry.dto';

/** POST /entries takes one entry or an array of up to 1000; both become a validated list. */
@Injectable()
export class EntriesBodyPipe implements PipeTransform<
  unknown,
  { entries: CreateEntryDto[]; isBatch: boolean }
> {
  transform(body: unknown): { entries: CreateEntryDto[]; isBatch: boolean } {
    if (!Array.isArray(body)) return { entries: [validateAs(CreateEntryDto, body)], isBatch: false };
    if (body.length === 0 || body.length > MAX_ENTRIES_PER_REQUEST) {
      throw validationFailed({
        body: [
          `body must be an entry or an array of 1 to ${MAX_ENTRIES_PER_REQUEST} entries (got ${body.length})`,
        ],
      });
    }
    const errors: Record<string, string[]> = {};
    const entries: CreateEntryDto[] = [];
    body.forEach((item: unknown, index) => {
      try {
        entries.push(validateAs(CreateEntryDto, item, `[${index}]`));
      } catch (error) {
        if (!(error instanceof ValidationFailedError)) throw error;
        Object.assign(errors, error.fields);
      }
    });
    if (Object.keys(errors).length > 0) throw validationFailed(errors);
    return { entries, isBatch: true };
  }
}
