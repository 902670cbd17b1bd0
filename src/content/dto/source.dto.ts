import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUrl, Length, MaxLength } from 'class-validator';

export class CreateSourceDto {
  @ApiProperty({ example: 'Hacker News', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'https://news.ycombinator.com/rss', maxLength: 2048 })
  @IsUrl({ require_protocol: true, require_tld: false })
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class UpdateSourceDto extends PartialType(CreateSourceDto) {}

export class SourceResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() url!: string;
  @ApiProperty() isActive!: boolean;
  @ApiProperty({ example: '2026-11-25T08:00:00.000-06:00' }) createdAt!: string;
}
