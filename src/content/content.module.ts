import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { DigestBuilder } from './digest-builder.service';
import { DigestsController } from './digests.controller';
import { DigestsService } from './digests.service';
import { EntriesController } from './entries.controller';
import { EntriesService } from './entries.service';
import { SourcesController } from './sources.controller';
import { SourcesService } from './sources.service';
import { SubscribersController } from './subscribers.controller';
import { SubscribersService } from './subscribers.service';

@Module({
  imports: [DatabaseModule],
  controllers: [SourcesController, SubscribersController, EntriesController, DigestsController],
  providers: [SourcesService, SubscribersService, EntriesService, DigestsService, DigestBuilder],
  exports: [DigestBuilder],
})
export class ContentModule {}
