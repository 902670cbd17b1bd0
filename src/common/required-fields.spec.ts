import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import * as digestDto from '../content/dto/digest.dto';
import * as entryDto from '../content/dto/entry.dto';
import * as sourceDto from '../content/dto/source.dto';
import * as subscriberDto from '../content/dto/subscriber.dto';
import * as jobsDto from '../scheduling/jobs.dto';
import { ValidationFailedError } from './domain-errors';
import { validateAs } from './validation';

/** Every DTO module of the API; the first test fails when a DTO file is added and not listed here. */
const MODULES: Record<string, Record<string, unknown>> = {
  'content/dto/digest.dto.ts': digestDto,
  'content/dto/entry.dto.ts': entryDto,
  'content/dto/source.dto.ts': sourceDto,
  'content/dto/subscriber.dto.ts': subscriberDto,
  'scheduling/jobs.dto.ts': jobsDto,
};

/** A valid body per validated DTO, from which each required field is taken away in turn. */
const VALID: Record<string, Record<string, unknown>> = {
  CreateSourceDto: { name: 'HN', url: 'https://news.ycombinator.com/rss' },
  UpdateSourceDto: { name: 'HN' },
  CreateSubscriberDto: { email: 'ada@example.com', name: 'Ada' },
  CreateEntryDto: { sourceId: 1, title: 't', body: 'b', publishedAt: '2026-11-25T10:00:00Z' },
  ListEntriesQuery: {},
  DigestRangeQuery: {},
  RunDailyDigestDto: {},
  ListJobRunsQuery: {},
};

type Dto = new () => object;

const SRC = join(process.cwd(), 'src');
function dtoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'data-migration' ? [] : dtoFiles(path);
    const rel = relative(SRC, path);
    return /(^|\/)dto\/[^/]+\.ts$|\.dto\.ts$/.test(rel) && !rel.endsWith('.spec.ts') ? [rel] : [];
  });
}

/** The exported classes that carry class-validator rules: the request DTOs. */
function validatedDtos(): [string, Dto][] {
  const storage = getMetadataStorage();
  return Object.values(MODULES).flatMap((module) =>
    Object.entries(module).filter(
      (entry): entry is [string, Dto] =>
        typeof entry[1] === 'function' &&
        storage.getTargetValidationMetadatas(entry[1] as Dto, '', true, false).length > 0,
    ),
  );
}

/** Properties with rules and no @IsOptional: the ones a client must send. */
function requiredFields(dto: Dto): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const optional = new Set(
    metadata.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION).map((m) => m.propertyName),
  );
  return [...new Set(metadata.map((m) => m.propertyName))].filter((p) => !optional.has(p));
}

function fieldsOf(run: () => unknown): Record<string, string[]> {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationFailedError) return error.fields;
    throw error;
  }
  throw new Error('expected a validation failure');
}

describe('a missing required field says "<field> is required"', () => {
  it('covers every DTO file and every validated DTO', () => {
    expect(dtoFiles(SRC).sort()).toEqual(Object.keys(MODULES).sort());
    expect(
      validatedDtos()
        .map(([name]) => name)
        .sort(),
    ).toEqual(Object.keys(VALID).sort());
  });

  it('finds the required fields of the bodies clients send', () => {
    expect(requiredFields(sourceDto.CreateSourceDto).sort()).toEqual(['name', 'url']);
    expect(requiredFields(entryDto.CreateEntryDto).sort()).toEqual([
      'body',
      'publishedAt',
      'sourceId',
      'title',
    ]);
  });

  const cases = validatedDtos().flatMap(([name, dto]) =>
    requiredFields(dto).map((field): [string, string, Dto] => [name, field, dto]),
  );

  it.each(validatedDtos())('%s accepts its valid example', (name, dto) => {
    expect(() => validateAs(dto, VALID[name])).not.toThrow();
  });

  it.each(cases)('%s without %s', (name, field, dto) => {
    const body = { ...VALID[name] };
    delete body[field];
    expect(fieldsOf(() => validateAs(dto, body))).toEqual({ [field]: [`${field} is required`] });
  });

  it.each(cases)('%s without %s, inside a batch', (name, field, dto) => {
    const body = { ...VALID[name] };
    delete body[field];
    expect(fieldsOf(() => validateAs(dto, body, '[2]'))).toEqual({
      [`[2].${field}`]: [`[2].${field}: ${field} is required`],
    });
  });

  it('keeps the specific messages for a field that is present but wrong', () => {
    const fields = fieldsOf(() => validateAs(sourceDto.CreateSourceDto, { name: 'x', url: 'not a url' }));
    expect(fields).toEqual({ url: ['url must be a URL address'] });
  });
});
