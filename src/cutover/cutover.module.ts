import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { CutoverController } from './cutover.controller';
import { CutoverService } from './cutover.service';
import { WriteGate } from './write-gate';

/** The online migration's cut-over, on the service's side: the write gate and the switch of database. */
@Module({
  imports: [DatabaseModule],
  controllers: [CutoverController],
  providers: [WriteGate, CutoverService],
  exports: [WriteGate],
})
export class CutoverModule {}
