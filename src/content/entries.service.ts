import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { isForeignKeyViolation, isUniqueViolation } from '../common/database-errors';
import { ConflictError, InvalidFieldError, NotFoundError } from '../common/domain-errors';
import type { Entry } from '../database/entities';
import { EntriesRepository, type EntryPageFilter } from '../database/repositories/entries/entries.repository';
import { type CreateEntryDto, DEFAULT_PAGE_SIZE, type ListEntriesQuery } from './dto/entry.dto';
import { decodeEntryCursor, encodeEntryCursor } from './entry-cursor';

export interface EntryPageResult {
  items: Entry[];
  nextCursor: string | null;
}

@Injectable()
export class EntriesService {
  constructor(
    private readonly entries: EntriesRepository,
    private readonly clock: Clock,
  ) {}

  /** Inserts all entries in one transaction: either every one is stored or none is. */
  async create(dtos: CreateEntryDto[]): Promise<Entry[]> {
    const createdAt = this.clock.now();
    try {
      if (dtos.length === 1 && dtos[0]) return [await this.createOne(dtos[0], createdAt)];
      const result = await this.entries.insertBatch(dtos.map((d) => this.toEntity(d, createdAt)));
      if ('stored' in result) return result.stored;
      const missing = result.missingSourceAt;
      throw new InvalidFieldError(
        `[${missing}].sourceId`,
        `source ${dtos[missing]?.sourceId} does not exist`,
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError('an entry with this url already exists', 'ENTRY_URL_TAKEN', 'url');
    }
  }

  /**
   * One entry is one INSERT: atomic on its own, so no transaction and no look-up of the source first
   * (the foreign key answers that). The hot path of POST /entries.
   */
  private async createOne(dto: CreateEntryDto, createdAt: Date): Promise<Entry> {
    const entry = this.toEntity(dto, createdAt);
    try {
      entry.id = await this.entries.insertOne(entry);
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
    const entry = await this.entries.findById(id);
    if (!entry) throw new NotFoundError('entry', id);
    return entry;
  }

  /**
   * One page in (publishedAt, id) order. Keyset pagination: the cursor is the last row's key, so a page
   * is an index range scan whatever the depth.
   */
  async list(query: ListEntriesQuery): Promise<EntryPageResult> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.entries.page(pageFilter(query), limit);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeEntryCursor({ publishedAt: last.publishedAt, id: last.id }) : null;
    return { items, nextCursor };
  }
}

/** The query's filters, its cursor decoded (a 400 naming `cursor` if it is not one of ours). */
export function pageFilter(query: ListEntriesQuery): EntryPageFilter {
  let after;
  if (query.cursor !== undefined) {
    after = decodeEntryCursor(query.cursor);
    if (!after) throw new InvalidFieldError('cursor', 'is not a cursor returned by this API');
  }
  return { sourceId: query.sourceId, from: query.from, to: query.to, after };
}
