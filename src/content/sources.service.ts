import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { isForeignKeyViolation, isUniqueViolation } from '../common/database-errors';
import { ConflictError, NotFoundError } from '../common/domain-errors';
import type { Source } from '../database/entities';
import { SourcesRepository } from '../database/repositories/sources/sources.repository';
import type { CreateSourceDto, UpdateSourceDto } from './dto/source.dto';

@Injectable()
export class SourcesService {
  constructor(
    private readonly sources: SourcesRepository,
    private readonly clock: Clock,
  ) {}

  async create(dto: CreateSourceDto): Promise<Source> {
    const source = this.sources.create({
      name: dto.name,
      url: dto.url,
      isActive: dto.isActive ?? true,
      createdAt: this.clock.now(),
    });
    return this.saveNamed(source);
  }

  list(): Promise<Source[]> {
    return this.sources.list();
  }

  async get(id: number): Promise<Source> {
    const source = await this.sources.findById(id);
    if (!source) throw new NotFoundError('source', id);
    return source;
  }

  async update(id: number, dto: UpdateSourceDto): Promise<Source> {
    const source = await this.get(id);
    if (dto.name !== undefined) source.name = dto.name;
    if (dto.url !== undefined) source.url = dto.url;
    if (dto.isActive !== undefined) source.isActive = dto.isActive;
    return this.saveNamed(source);
  }

  /** Deletes the source with its entries and subscriptions. */
  async delete(id: number): Promise<void> {
    await this.get(id);
    try {
      await this.sources.delete(id);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // Digests are history: their entries are not deleted behind the subscriber's back.
      throw new ConflictError(
        `source ${id} has entries that appear in digests; deactivate it instead (PATCH {"isActive": false})`,
        'SOURCE_IN_DIGESTS',
      );
    }
  }

  private async saveNamed(source: Source): Promise<Source> {
    try {
      return await this.sources.save(source);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError(`a source named "${source.name}" already exists`, 'SOURCE_NAME_TAKEN', 'name');
    }
  }
}
