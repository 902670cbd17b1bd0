import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, type Repository, type SelectQueryBuilder } from 'typeorm';
import { Clock } from '../common/clock';
import { instantParameter } from '../common/db-values';
import { isUniqueViolation } from '../common/database-errors';
import { ConflictError, InvalidFieldError, NotFoundError } from '../common/domain-errors';
import { type CreateEntryDto, DEFAULT_PAGE_SIZE, type ListEntriesQuery } from './dto/entry.dto';
import { Entry, Source } from './entities';
import { decodeEntryCursor, encodeEntryCursor } from './entry-cursor';

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
      return await this.dataSource.transaction(async (manager) => {
        const sourceIds = [...new Set(dtos.map((d) => d.sourceId))];
        const found = await manager.find(Source, { select: { id: true }, where: { id: In(sourceIds) } });
        const known = new Set(found.map((s) => s.id));
        const missing = dtos.findIndex((d) => !known.has(d.sourceId));
        if (missing >= 0) {
          const field = dtos.length === 1 ? 'sourceId' : `[${missing}].sourceId`;
          throw new InvalidFieldError(field, `source ${dtos[missing]?.sourceId} does not exist`);
        }
        const rows = dtos.map((d) =>
          manager.create(Entry, {
            sourceId: d.sourceId,
            title: d.title,
            body: d.body,
            url: d.url ?? null,
            publishedAt: d.publishedAt,
            score: d.score ?? 0,
            tags: d.tags ?? [],
            createdAt,
          }),
        );
        return manager.save(Entry, rows, { chunk: 500 });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError('an entry with this url already exists', 'url');
    }
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
    const rows = await this.pageQuery(query, limit).getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeEntryCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
    return { items, nextCursor };
  }

  /** The page's query: one row more than asked for, to know whether there is a next page. */
  pageQuery(query: ListEntriesQuery, limit: number): SelectQueryBuilder<Entry> {
    const isPostgres = this.dataSource.options.type === 'postgres';
    const instant = (name: string): string => (isPostgres ? `CAST(:${name} AS timestamptz)` : `:${name}`);
    const qb = this.entries.createQueryBuilder('e');
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
