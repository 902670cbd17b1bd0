import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe';
import { InstantFormat } from '../common/instant-format';
import { DigestRangeQuery, DigestResponse } from './dto/digest.dto';
import { CreateSubscriberDto, SubscriberResponse, SubscriptionResponse } from './dto/subscriber.dto';
import { DigestsService } from './digests.service';
import { Presenter } from './presenters';
import { SubscribersService } from './subscribers.service';

@ApiTags('subscribers')
@Controller('subscribers')
export class SubscribersController {
  private readonly present: Presenter;

  constructor(
    private readonly subscribers: SubscribersService,
    private readonly digests: DigestsService,
    time: InstantFormat,
  ) {
    this.present = new Presenter(time);
  }

  @Post()
  @ApiCreatedResponse({ type: SubscriberResponse })
  async create(@Body() dto: CreateSubscriberDto): Promise<SubscriberResponse> {
    return this.present.subscriber(await this.subscribers.create(dto), []);
  }

  @Get(':id')
  @ApiOkResponse({ type: SubscriberResponse })
  async get(@Param('id', IdPipe) id: number): Promise<SubscriberResponse> {
    const subscriber = await this.subscribers.get(id);
    return this.present.subscriber(subscriber, await this.subscribers.sourceIdsOf(id));
  }

  @Put(':id/subscriptions/:sourceId')
  @ApiOkResponse({ type: SubscriptionResponse, description: 'subscribed (idempotent)' })
  async subscribe(
    @Param('id', IdPipe) id: number,
    @Param('sourceId', IdPipe) sourceId: number,
  ): Promise<SubscriptionResponse> {
    return this.present.subscription(await this.subscribers.subscribe(id, sourceId));
  }

  @Delete(':id/subscriptions/:sourceId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'unsubscribed (idempotent)' })
  async unsubscribe(
    @Param('id', IdPipe) id: number,
    @Param('sourceId', IdPipe) sourceId: number,
  ): Promise<void> {
    await this.subscribers.unsubscribe(id, sourceId);
  }

  @Get(':id/digests')
  @ApiOkResponse({ type: [DigestResponse] })
  async digestsOf(
    @Param('id', IdPipe) id: number,
    @Query() range: DigestRangeQuery,
  ): Promise<DigestResponse[]> {
    const digests = await this.digests.listForSubscriber(id, range.from, range.to);
    return digests.map((d) => this.present.digest(d));
  }
}
