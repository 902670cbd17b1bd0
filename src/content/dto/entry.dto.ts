import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsInstant, ToDecimal, ToInt } from '../../common/validators';

export const MAX_ENTRIES_PER_REQUEST = 1000;
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export class CreateEntryDto {
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  sourceId!: number;

  @ApiProperty({ example: 'PostgreSQL 16 released', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  title!: string;

  @ApiProperty({ example: 'Any UTF-8 text: emoji 🐘, CJK 漢字.' })
  @IsString()
  @MaxLength(100_000)
  body!: string;

  @ApiPropertyOptional({ example: 'https://example.com/pg16', nullable: true, maxLength: 2048 })
  @IsOptional()
  @IsUrl({ require_protocol: true, require_tld: false })
  @MaxLength(2048)
  url?: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-11-25T09:30:00-06:00',
    description: 'Any ISO 8601 instant (with Z or an offset)',
  })
  @IsInstant()
  publishedAt!: Date;

  @ApiPropertyOptional({
    example: 12.5,
    default: 0,
    description: 'numeric(10,2): a number or a decimal string ("12.50"), at most 2 decimals',
  })
  @IsOptional()
  @ToDecimal()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(-99_999_999.99)
  @Max(99_999_999.99)
  score?: number;

  @ApiPropertyOptional({ type: [String], example: ['postgres'], default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  tags?: string[];
}

export class ListEntriesQuery {
  @ApiPropertyOptional({ description: 'only entries of this source' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  sourceId?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'published at or after (inclusive)',
  })
  @IsOptional()
  @IsInstant()
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'published before (exclusive)' })
  @IsOptional()
  @IsInstant()
  to?: Date;

  @ApiPropertyOptional({ default: DEFAULT_PAGE_SIZE, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class EntryResponse {
  @ApiProperty() id!: number;
  @ApiProperty() sourceId!: number;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: String, nullable: true }) url!: string | null;
  @ApiProperty({ example: '2026-11-25T09:30:00.000-06:00' }) publishedAt!: string;
  @ApiProperty() score!: number;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ example: '2026-11-25T09:31:00.000-06:00' }) createdAt!: string;
}

export class EntryPage {
  @ApiProperty({ type: [EntryResponse] }) items!: EntryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as cursor for the next page' })
  nextCursor!: string | null;
}
