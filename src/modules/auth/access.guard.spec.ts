import { ForbiddenError, Public } from '@app/common';
import { mockOf } from '@app/testing/unit-fixture';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ThrottlerGuard } from '@nestjs/throttler';
import { AccessGuard } from './access.guard';

/** One handler inherited by two controllers, each with its own class-level policy (or none). */
class BaseController {
  list(): void {}
  @Public()
  ping(): void {}
}
@Public()
class OpenController extends BaseController {}
class UndeclaredController extends BaseController {}

const contextOf = (controller: object, handler: () => void): ExecutionContext =>
  mockOf<ExecutionContext>({
    getClass: () => controller as never,
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => ({ headers: {} }) }) as never,
  });

describe('AccessGuard policy lookup', () => {
  const rateLimit = mockOf<ThrottlerGuard>({ canActivate: () => Promise.resolve(true) });
  const guard = new AccessGuard(
    new Reflector(),
    ...([mockOf(), rateLimit, mockOf()] as unknown as [never, ThrottlerGuard, never]),
  );

  it('reads each controller and handler pair on its own, again and again (the lookup is memoized)', async () => {
    for (let round = 0; round < 2; round++) {
      await expect(guard.canActivate(contextOf(OpenController, BaseController.prototype.list))).resolves.toBe(
        true,
      );
      // The same handler under a controller that declares nothing stays denied.
      await expect(
        guard.canActivate(contextOf(UndeclaredController, BaseController.prototype.list)),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        guard.canActivate(contextOf(UndeclaredController, BaseController.prototype.ping)),
      ).resolves.toBe(true);
    }
    expect(rateLimit.canActivate).toHaveBeenCalledTimes(4);
  });
});
