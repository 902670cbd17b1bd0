import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, type Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { fastQuery, type Statement } from '../database/fast-query';
import { instantParameter } from '../common/db-values';
import { isForeignKeyViolation, isUniqueViolation } from '../common/database-errors';
import { ConflictError, InvalidFieldError, NotFoundError } from '../common/domain-errors';
import { type CreateEntryDto, DEFAULT_PAGE_SIZE, type ListEntriesQuery } from './dto/entry.dto';
import { Entry, Source } from './entities';
import { decodeEntryCursor, encodeEntryCursor } from './entry-cursor';
import { ENTRY_ROW_COLUMNS, entryFromRow, entryFromValues, type EntryRow } from './entry-row';

export interface EntryPageResult {
  items: Entry[];
  nextCursor: string | null;
}

@Injectable()
export class EntriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Entry) private readonly entries: Repository<Entry>,
    private readonly clock: Clock,
  ) {}

  /** Inserts all entries in one transaction: either every one is stored or none is. */
  async create(dtos: CreateEntryDto[]): Promise<Entry[]> {
    const createdAt = this.clock.now();
    try {
      if (dtos.length === 1 && dtos[0]) return [await this.createOne(dtos[0], createdAt)];
      return await this.dataSource.transaction(async (manager) => {
        const sourceIds = [...new Set(dtos.map((d) => d.sourceId))];
        const found = await manager.find(Source, { select: { id: true }, where: { id: In(sourceIds) } });
        const known = new Set(found.map((s) => s.id));
        const missing = dtos.findIndex((d) => !known.has(d.sourceId));
        if (missing >= 0) {
          throw new InvalidFieldError(
            `[${missing}].sourceId`,
            `source ${dtos[missing]?.sourceId} does not exist`,
          );
        }
        return manager.save(
          Entry,
          dtos.map((d) => this.toEntity(d, createdAt)),
          { chunk: 500 },
        );
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError('an entry with this url already exists', 'url');
    }
  }

  /**
   * One entry is one INSERT: atomic on its own, so no transaction and no look-up of the source first
   * (the foreign key answers that). The hot path of POST /entries.
   */
  private async createOne(dto: CreateEntryDto, createdAt: Date): Promise<Entry> {
    const entry = this.toEntity(dto, createdAt);
    try {
      entry.id =
        this.dataSource.options.type === 'postgres'
          ? await this.insertPostgres(entry)
          : await this.insertOther(entry);
      return entry;
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      throw new InvalidFieldError('sourceId', `source ${dto.sourceId} does not exist`);
    }
  }

  /** One prepared INSERT … RETURNING on the pool: a single round trip, no TypeORM insert planning. */
  private async insertPostgres(e: Entry): Promise<number> {
    const rows = await fastQuery<{ id: string }>(this.dataSource, {
      name: 'entries_insert_one',
      text:
        'INSERT INTO entries (source_id, title, body, url, published_at, score, tags, created_at) ' +
        'VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7::jsonb, $8::timestamptz) RETURNING id',
      values: [
        e.sourceId,
        e.title,
        e.body,
        e.url,
        e.publishedAt.toISOString(),
        e.score,
        JSON.stringify(e.tags),
        e.createdAt.toISOString(),
      ],
    });
    return Number(rows[0]?.id);
  }

  private async insertOther(e: Entry): Promise<number> {
    const result = await this.entries.insert(e);
    const id = (result.identifiers[0] as { id?: number | string } | undefined)?.id;
    if (id === undefined) throw new Error('entry insert returned no id');
    return Number(id);
  }

  private toEntity(d: CreateEntryDto, createdAt: Date): Entry {
    return this.entries.create({
      sourceId: d.sourceId,
      title: d.title,
      body: d.body,
      url: d.url ?? null,
      publishedAt: d.publishedAt,
      score: d.score ?? 0,
      tags: d.tags ?? [],
      createdAt,
    });
  }

  async get(id: number): Promise<Entry> {
    const entry = await this.entries.findOneBy({ id });
    if (!entry) throw new NotFoundError('entry', id);
    return entry;
  }

  /**
   * One page in (publishedAt, id) order. Keyset pagination: the cursor is the last row's key, so a page
   * is an index range scan on (published_at, id) or (source_id, published_at, id) whatever the depth.
   */
  async list(query: ListEntriesQuery): Promise<EntryPageResult> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const statement = this.pageStatement(query, limit);
    const rows =
      this.dataSource.options.type === 'postgres'
        ? ((await fastQuery<{ page: unknown[][] }>(this.dataSource, statement))[0]?.page ?? []).map(
            entryFromValues,
          )
        : (await fastQuery<EntryRow>(this.dataSource, statement)).map(entryFromRow);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeEntryCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
    return { items, nextCursor };
  }

  /**
   * The page's SQL, one row more than asked for to know whether there is a next page. Written by hand:
   * only which filters are present changes the text, so each shape is one prepared statement.
   */
  pageStatement(query: ListEntriesQuery, limit: number): Statement {
    const isPostgres = this.dataSource.options.type === 'postgres';
    const values: unknown[] = [];
    const param = (value: unknown, cast = ''): string => {
      values.push(value);
      if (!isPostgres) return '?';
      return cast ? `$${values.length}::${cast}` : `$${values.length}`;
    };
    const instant = (value: Date): string => param(instantParameter(this.dataSource, value), 'timestamptz');
    const where: string[] = [];
    const shape: string[] = [];
    if (query.sourceId !== undefined) {
      where.push(`source_id = ${param(query.sourceId, 'integer')}`);
      shape.push('s');
    }
    if (query.from) {
      where.push(`published_at >= ${instant(query.from)}`);
      shape.push('f');
    }
    if (query.to) {
      where.push(`published_at < ${instant(query.to)}`);
      shape.push('t');
    }
    if (query.cursor !== undefined) {
      const cursor = decodeEntryCursor(query.cursor);
      if (!cursor) throw new InvalidFieldError('cursor', 'is not a cursor returned by this API');
      where.push(`(published_at, id) > (${instant(cursor.publishedAt)}, ${param(cursor.id, 'bigint')})`);
      shape.push('c');
    }
    const select =
      `SELECT ${ENTRY_ROW_COLUMNS.join(', ')} FROM entries` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY published_at, id LIMIT ${param(limit + 1, 'integer')}`;
    const text = isPostgres ? pagePostgresJson(select) : select;
    return { name: `entries_page_${shape.join('') || 'all'}`, text, values };
  }
}

/**
 * On PostgreSQL the page comes back as one JSON value (an array of rows, each an array in
 * ENTRY_ROW_COLUMNS order, instants as epoch milliseconds): the server builds it, and Node decodes one
 * column of one row with JSON.parse instead of 9 columns of 51 rows through pg's per-field parsers,
 * which cost more than the rest of the request. floor() truncates sub-millisecond digits as pg's
 * timestamptz parser does.
 */
function pagePostgresJson(select: string): string {
  const epochMs = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)`;
  const row = ENTRY_ROW_COLUMNS.map((c) => (c === 'published_at' || c === 'created_at' ? epochMs(c) : c));
  return (
    `SELECT coalesce(json_agg(json_build_array(${row.join(', ')}) ORDER BY published_at, id), '[]') AS page ` +
    `FROM (${select}) AS p`
  );
}
