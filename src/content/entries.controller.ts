import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe';
import { InstantFormat } from '../common/instant-format';
import {
  CreateEntryDto,
  EntryPage,
  EntryResponse,
  ListEntriesQuery,
  MAX_ENTRIES_PER_REQUEST,
} from './dto/entry.dto';
import { EntriesBodyPipe } from './entries-body.pipe';
import { EntriesService } from './entries.service';
import { Presenter } from './presenters';

@ApiTags('entries')
@ApiExtraModels(CreateEntryDto, EntryResponse)
@Controller('entries')
export class EntriesController {
  private readonly present: Presenter;

  constructor(
    private readonly entries: EntriesService,
    time: InstantFormat,
  ) {
    this.present = new Presenter(time);
  }

  @Post()
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(CreateEntryDto) },
        { type: 'array', items: { $ref: getSchemaPath(CreateEntryDto) }, maxItems: MAX_ENTRIES_PER_REQUEST },
      ],
    },
    description: `one entry, or an array of up to ${MAX_ENTRIES_PER_REQUEST} stored in one transaction`,
  })
  @ApiCreatedResponse({
    description: 'the stored entry, or the stored entries in request order',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(EntryResponse) },
        { type: 'array', items: { $ref: getSchemaPath(EntryResponse) } },
      ],
    },
  })
  async create(
    @Body(EntriesBodyPipe) body: { entries: CreateEntryDto[]; isBatch: boolean },
  ): Promise<EntryResponse | EntryResponse[]> {
    const stored = (await this.entries.create(body.entries)).map((e) => this.present.entry(e));
    return body.isBatch ? stored : stored[0];
  }

  @Get()
  @ApiOkResponse({ type: EntryPage })
  async list(@Query() query: ListEntriesQuery): Promise<EntryPage> {
    const page = await this.entries.list(query);
    return { items: page.items.map((e) => this.present.entry(e)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: EntryResponse })
  async get(@Param('id', IdPipe) id: number): Promise<EntryResponse> {
    return this.present.entry(await this.entries.get(id));
  }
}
