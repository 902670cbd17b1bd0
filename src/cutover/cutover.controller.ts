import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminTokenGuard } from '../common/admin-token.guard';
import { CutoverService } from './cutover.service';

/** Called by `migrate --online --service URL`, not by hand (but `release` is safe by hand). */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('admin/cutover')
export class CutoverController {
  constructor(private readonly cutover: CutoverService) {}

  @Post('hold')
  @HttpCode(200)
  @ApiOperation({ summary: 'Open CUTOVER_DATABASE_URL and hold new writes until those in flight are done' })
  hold() {
    return this.cutover.hold();
  }

  @Post('switch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Switch to PostgreSQL (the SQLite file must be marked moved) and release the writes',
  })
  switch() {
    return this.cutover.switch();
  }

  @Post('release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give up a held cut-over: writes continue on SQLite' })
  release() {
    return this.cutover.release();
  }
}
