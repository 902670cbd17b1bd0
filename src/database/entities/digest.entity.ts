import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('digests')
export class Digest {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'subscriber_id', type: 'integer' })
  subscriberId!: number;

  /** The local calendar day (DISPLAY_TIMEZONE) the digest covers, `YYYY-MM-DD`. */
  @Column({ name: 'digest_date', type: 'date' })
  digestDate!: string;

  @Column({ name: 'entry_count', type: 'integer' })
  entryCount!: number;

  @Column({ name: 'generated_at' })
  generatedAt!: Date;
}
