import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe';
import { InstantFormat } from '../common/instant-format';
import { CreateSourceDto, SourceResponse, UpdateSourceDto } from './dto/source.dto';
import { Presenter } from './presenters';
import { SourcesService } from './sources.service';

@ApiTags('sources')
@Controller('sources')
export class SourcesController {
  private readonly present: Presenter;

  constructor(
    private readonly sources: SourcesService,
    time: InstantFormat,
  ) {
    this.present = new Presenter(time);
  }

  @Post()
  @ApiCreatedResponse({ type: SourceResponse })
  async create(@Body() dto: CreateSourceDto): Promise<SourceResponse> {
    return this.present.source(await this.sources.create(dto));
  }

  @Get()
  @ApiOkResponse({ type: [SourceResponse] })
  async list(): Promise<SourceResponse[]> {
    return (await this.sources.list()).map((s) => this.present.source(s));
  }

  @Get(':id')
  @ApiOkResponse({ type: SourceResponse })
  async get(@Param('id', IdPipe) id: number): Promise<SourceResponse> {
    return this.present.source(await this.sources.get(id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: SourceResponse })
  async update(@Param('id', IdPipe) id: number, @Body() dto: UpdateSourceDto): Promise<SourceResponse> {
    return this.present.source(await this.sources.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted with its entries and subscriptions' })
  async delete(@Param('id', IdPipe) id: number): Promise<void> {
    await this.sources.delete(id);
  }
}
