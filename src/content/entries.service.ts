import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, type ObjectLiteral, type Repository, type SelectQueryBuilder } from 'typeorm';
import { Clock } from '../common/clock';
import { instantParameter } from '../common/db-values';
import { isForeignKeyViolation, isUniqueViolation } from '../common/database-errors';
import { ConflictError, InvalidFieldError, NotFoundError } from '../common/domain-errors';
import { type CreateEntryDto, DEFAULT_PAGE_SIZE, type ListEntriesQuery } from './dto/entry.dto';
import { Entry, Source } from './entities';
import { decodeEntryCursor, encodeEntryCursor } from './entry-cursor';
import { ENTRY_ROW_COLUMNS, entryFromRow, type EntryRow } from './entry-row';

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
      const result = await this.entries.insert(entry);
      const id = (result.identifiers[0] as { id?: number | string } | undefined)?.id;
      if (id === undefined) throw new Error('entry insert returned no id');
      entry.id = Number(id);
      return entry;
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      throw new InvalidFieldError('sourceId', `source ${dto.sourceId} does not exist`);
    }
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
    const rows = (await this.pageQuery(query, limit).getRawMany<EntryRow>()).map(entryFromRow);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeEntryCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
    return { items, nextCursor };
  }

  /** The page's query: one row more than asked for, to know whether there is a next page. */
  pageQuery(query: ListEntriesQuery, limit: number): SelectQueryBuilder<ObjectLiteral> {
    const isPostgres = this.dataSource.options.type === 'postgres';
    const instant = (name: string): string => (isPostgres ? `CAST(:${name} AS timestamptz)` : `:${name}`);
    const qb = this.dataSource
      .createQueryBuilder()
      .select(ENTRY_ROW_COLUMNS.map((c) => `e.${c} AS ${c}`))
      .from('entries', 'e');
    if (query.sourceId !== undefined) qb.andWhere('e.source_id = :sourceId', { sourceId: query.sourceId });
    if (query.from) {
      qb.andWhere(`e.published_at >= ${instant('from')}`, {
        from: instantParameter(this.dataSource, query.from),
      });
    }
    if (query.to) {
      qb.andWhere(`e.published_at < ${instant('to')}`, { to: instantParameter(this.dataSource, query.to) });
    }
    if (query.cursor !== undefined) {
      const cursor = decodeEntryCursor(query.cursor);
      if (!cursor) throw new InvalidFieldError('cursor', 'is not a cursor returned by this API');
      qb.andWhere(`(e.published_at, e.id) > (${instant('cursorAt')}, :cursorId)`, {
        cursorAt: instantParameter(this.dataSource, cursor.publishedAt),
        cursorId: cursor.id,
      });
    }
    return qb
      .orderBy('e.published_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(limit + 1);
  }
}
