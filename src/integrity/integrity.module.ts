import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { IntegrityController } from './integrity.controller';
import { IntegrityService } from './integrity.service';

/** `GET /admin/integrity`: the live check of the migrated PostgreSQL, its runs kept in integrity_runs. */
@Module({
  imports: [DatabaseModule],
  controllers: [IntegrityController],
  providers: [IntegrityService],
})
export class IntegrityModule {}
