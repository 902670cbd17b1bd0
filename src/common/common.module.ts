import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { InstantFormat } from './instant-format';

/** App-wide bits: the one clock and the response time format. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: CommonModule,
      providers: [{ provide: Clock, useValue: clock }, InstantFormat],
      exports: [Clock, InstantFormat],
    };
  }
}
