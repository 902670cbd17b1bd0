import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('sources')
export class Source {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  // No column type: TypeORM then maps Date per dialect (timestamptz holds it on PostgreSQL, UTC text on SQLite).
  @Column({ name: 'created_at' })
  createdAt!: Date;
}
