import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('subscriptions')
export class Subscription {
  @PrimaryColumn({ name: 'subscriber_id', type: 'integer' })
  subscriberId!: number;

  @PrimaryColumn({ name: 'source_id', type: 'integer' })
  sourceId!: number;

  @Column({ name: 'created_at' })
  createdAt!: Date;
}
