import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { validationFailed } from './validation';

/** Path ids: positive integers written as plain digits; anything else is a 400 naming the parameter. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'id';
    if (!/^\d{1,15}$/.test(value) || Number(value) < 1) {
      throw validationFailed({ [name]: [`${name} must be a positive integer`] });
    }
    return Number(value);
  }
}
