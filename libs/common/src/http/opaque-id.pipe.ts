import { Injectable, PipeTransform } from '@nestjs/common';
import { NotFoundError } from '../errors/domain-error';

/**
 * What an id of this API can look like: ids are opaque to clients (UUIDs of any version today, order
 * numbers like `SK-10001`), so a path id is only checked to be a short token of safe characters.
 */
const OPAQUE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Path ids are opaque: anything that is not an id of a resource is 404, never 400 ("uuid v 7 is
 * expected" told clients a format they must not rely on). A string that cannot be an id is refused
 * here without a query; one that can is looked up, and the lookup answers 404 when it finds nothing.
 */
@Injectable()
export class ParseOpaqueIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !OPAQUE_ID.test(value))
      throw new NotFoundError('No resource lives at this address.');
    return value;
  }
}
