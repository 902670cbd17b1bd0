import { Controller, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminTokenGuard } from '../common/admin-token.guard';
import { IdPipe } from '../common/id.pipe';
import { InstantFormat } from '../common/instant-format';
import type { IntegrityRun } from '../database/repositories/integrity/integrity-runs.repository';
import { IntegrityService } from './integrity.service';

/** The live integrity check of the PostgreSQL the service runs on (after a cut-over, at any time). */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('admin/integrity')
export class IntegrityController {
  constructor(
    private readonly integrity: IntegrityService,
    private readonly time: InstantFormat,
  ) {}

  @Get()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Start a read-only integrity check: foreign keys, sequences, tables against the last migration; with a source, the full migrate verify',
  })
  @ApiQuery({
    name: 'source',
    required: false,
    description: 'SQLite file to verify against (default INTEGRITY_SOURCE_PATH)',
  })
  @ApiResponse({ status: 202, description: 'The check started: its id and progress' })
  @ApiResponse({
    status: 409,
    description: 'INTEGRITY_BUSY: another check runs; INTEGRITY_REFUSED: not on PostgreSQL',
  })
  async start(@Query('source') source?: string) {
    return this.present(await this.integrity.start(source === '' ? undefined : source));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A check: progress while it runs, then its result (passed, failed or error)' })
  @ApiParam({ name: 'id', type: Number })
  async find(@Param('id', IdPipe) id: number) {
    return this.present(await this.integrity.find(id));
  }

  private present(run: IntegrityRun) {
    return {
      id: run.id,
      status: run.status,
      source: run.source,
      startedAt: this.time.format(run.startedAt),
      finishedAt: this.time.format(run.finishedAt),
      progress: run.progress,
      result: run.result,
    };
  }
}
