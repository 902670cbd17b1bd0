import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe';
import { InstantFormat } from '../common/instant-format';
import { DigestWithEntries } from './dto/digest.dto';
import { DigestsService } from './digests.service';
import { Presenter } from './presenters';

@ApiTags('digests')
@Controller('digests')
export class DigestsController {
  private readonly present: Presenter;

  constructor(
    private readonly digests: DigestsService,
    time: InstantFormat,
  ) {
    this.present = new Presenter(time);
  }

  @Get(':id')
  @ApiOkResponse({ type: DigestWithEntries })
  async get(@Param('id', IdPipe) id: number): Promise<DigestWithEntries> {
    const { digest, entries } = await this.digests.getWithEntries(id);
    return {
      ...this.present.digest(digest),
      entries: entries.map(({ entry, position }) => this.present.digestEntry(entry, position)),
    };
  }
}
