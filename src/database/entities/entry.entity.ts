import { Column, Entity } from 'typeorm';
import { numericColumn } from '../db-values';

@Entity('entries')
export class Entry {
  // A plain @Column so the transformer applies: pg returns bigint as a string.
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: numericColumn })
  id!: number;

  @Column({ name: 'source_id', type: 'integer' })
  sourceId!: number;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  url!: string | null;

  @Column({ name: 'published_at' })
  publishedAt!: Date;

  @Column({ type: 'numeric', precision: 10, scale: 2, transformer: numericColumn })
  score!: number;

  // 'json' here on both dialects: the PostgreSQL column is jsonb (pg parses it), SQLite's holds checked JSON
  // text; TypeORM's 'jsonb' would write SQLite's binary JSONB instead.
  @Column({ type: 'json' })
  tags!: string[];

  @Column({ name: 'created_at' })
  createdAt!: Date;
}
