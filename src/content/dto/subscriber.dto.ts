import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class CreateSubscriberDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 320 })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'Ada', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class SubscriberResponse {
  @ApiProperty() id!: number;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty() isActive!: boolean;
  @ApiProperty({ type: [Number], description: 'ids of the subscribed sources' }) sourceIds!: number[];
  @ApiProperty({ example: '2026-11-25T08:00:00.000-06:00' }) createdAt!: string;
}

export class SubscriptionResponse {
  @ApiProperty() subscriberId!: number;
  @ApiProperty() sourceId!: number;
  @ApiProperty({ example: '2026-11-25T08:00:00.000-06:00' }) createdAt!: string;
}
