import { SetMetadata } from '@nestjs/common';
import { StaticMetadataReflector } from './static-metadata.reflector';

class Controller {
  @SetMetadata('limit', 5)
  handler(): void {}

  other(): void {}
}

describe('StaticMetadataReflector', () => {
  it('answers what the decorators declared, including their absence', () => {
    const reflector = new StaticMetadataReflector();
    const handler = Object.getOwnPropertyDescriptor(Controller.prototype, 'handler')!.value as () => void;
    const other = Object.getOwnPropertyDescriptor(Controller.prototype, 'other')!.value as () => void;
    expect(reflector.getAllAndOverride('limit', [handler, Controller])).toBe(5);
    expect(reflector.getAllAndOverride('limit', [other, Controller])).toBeUndefined();
    expect(reflector.get('limit', handler)).toBe(5);
  });

  it('reads each key and target from reflect-metadata once', () => {
    const reflector = new StaticMetadataReflector();
    const handler = Object.getOwnPropertyDescriptor(Controller.prototype, 'handler')!.value as () => void;
    const reads = jest.spyOn(Reflect, 'getMetadata');
    for (let request = 0; request < 3; request += 1)
      reflector.getAllAndOverride('limit', [handler, Controller]);
    expect(reads.mock.calls.filter(([key]) => key === 'limit')).toHaveLength(1);
    reads.mockRestore();
  });
});
