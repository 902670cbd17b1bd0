import { Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { DatabaseConnection } from '../../database-connection';
import { Source } from '../../entities';

/**
 * sources through TypeORM: the SQLite variant as it is, and the PostgreSQL one but for its hot read.
 */
@Injectable()
export class SourcesRepository {
  constructor(protected readonly db: DatabaseConnection) {}

  private get table(): Repository<Source> {
    return this.db.dataSource.getRepository(Source);
  }

  create(values: Omit<Source, 'id'>): Source {
    return this.table.create(values);
  }

  /** Inserts or updates; a taken name surfaces as the driver's unique violation. */
  save(source: Source): Promise<Source> {
    return this.table.save(source);
  }

  list(): Promise<Source[]> {
    return this.table.find({ order: { id: 'ASC' } });
  }

  findById(id: number): Promise<Source | null> {
    return this.table.findOneBy({ id });
  }

  exists(id: number): Promise<boolean> {
    return this.table.existsBy({ id });
  }

  /** Deletes the source; its entries and subscriptions go with it (ON DELETE CASCADE). */
  async delete(id: number): Promise<void> {
    await this.table.delete({ id });
  }
}
