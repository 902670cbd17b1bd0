import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsLocalDate } from '../../common/validators';
import { EntryResponse } from './entry.dto';

export class DigestRangeQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'first digest date (inclusive)' })
  @IsOptional()
  @IsLocalDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'last digest date (inclusive)' })
  @IsOptional()
  @IsLocalDate()
  to?: string;
}

export class DigestResponse {
  @ApiProperty() id!: number;
  @ApiProperty() subscriberId!: number;
  @ApiProperty({ example: '2026-11-25' }) digestDate!: string;
  @ApiProperty() entryCount!: number;
  @ApiProperty({ example: '2026-11-26T08:00:00.123-06:00' }) generatedAt!: string;
}

export class DigestEntryResponse extends EntryResponse {
  @ApiProperty({ description: '1-based, in published order' }) position!: number;
}

export class DigestWithEntries extends DigestResponse {
  @ApiProperty({ type: [DigestEntryResponse] }) entries!: DigestEntryResponse[];
}
