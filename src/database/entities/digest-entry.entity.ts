import { Column, Entity, PrimaryColumn } from 'typeorm';
import { numericColumn } from '../db-values';

@Entity('digest_entries')
export class DigestEntry {
  @PrimaryColumn({ name: 'digest_id', type: 'integer' })
  digestId!: number;

  @PrimaryColumn({ name: 'entry_id', type: 'bigint', transformer: numericColumn })
  entryId!: number;

  @Column({ type: 'integer' })
  position!: number;
}
