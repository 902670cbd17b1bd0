import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsLocalDate, ToInt } from '../common/validators';
import { DAILY_DIGEST_JOB } from './daily-digest.schedule';

export class RunDailyDigestDto {
  @ApiPropertyOptional({ example: '2026-11-25', description: 'local day to build; default: yesterday' })
  @IsOptional()
  @IsLocalDate()
  date?: string;
}

export class ListJobRunsQuery {
  @ApiPropertyOptional({ enum: [DAILY_DIGEST_JOB] })
  @IsOptional()
  @IsIn([DAILY_DIGEST_JOB])
  job?: string;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class JobRunResponse {
  @ApiProperty() id!: number;
  @ApiProperty({ example: DAILY_DIGEST_JOB }) jobName!: string;
  @ApiProperty({ example: '2026-11-26T08:00:00.000-06:00' }) scheduledFor!: string;
  @ApiProperty({ example: '2026-11-26T08:00:00.012-06:00' }) startedAt!: string;
  @ApiProperty({ type: String, nullable: true }) finishedAt!: string | null;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed', 'skipped'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { trigger: 'schedule', digestDate: '2026-11-25', attempts: 1, digests: 3, entries: 12 },
  })
  details!: Record<string, unknown>;
}
