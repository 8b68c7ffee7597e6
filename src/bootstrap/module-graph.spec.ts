import { loadConfig } from '@app/config';
import { DynamicModule, FactoryProvider, ForwardReference, Provider, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { STOREFRONT_AVAILABILITY } from '../modules/inventory';
import { ORDER_CANCELLATION_HOOKS } from '../modules/orders';
import { ApiModule } from './api.module';
import { WorkerModule } from './worker.module';

// @nestjs/bull marks @Processor classes with this metadata key (bull-shared's BULL_MODULE_QUEUE).
const PROCESSOR_METADATA = 'bull:module_queue';

type ModuleRef = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

/** Every provider class reachable from a root module, read from metadata without instantiating anything. */
function providerClasses(root: ModuleRef): Type[] {
  return walk(root).providers;
}

function controllerClasses(root: ModuleRef): Type[] {
  return walk(root).controllers;
}

function walk(root: ModuleRef): { providers: Type[]; controllers: Type[]; declared: Provider[] } {
  const seen = new Set<unknown>();
  const found: Type[] = [];
  const declared: Provider[] = [];
  const controllers: Type[] = [];
  const visit = (entry: ModuleRef | undefined) => {
    if (!entry || entry instanceof Promise) return;
    const ref = 'forwardRef' in entry ? (entry.forwardRef as () => ModuleRef)() : entry;
    const dynamic = 'module' in ref ? ref : undefined;
    const moduleClass = (dynamic ? dynamic.module : ref) as Type;
    const key = dynamic ?? moduleClass;
    if (seen.has(key)) return;
    seen.add(key);
    const providers: Provider[] = [
      ...((Reflect.getMetadata(MODULE_METADATA.PROVIDERS, moduleClass) as Provider[] | undefined) ?? []),
      ...(dynamic?.providers ?? []),
    ];
    controllers.push(
      ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, moduleClass) as Type[] | undefined) ?? []),
    );
    controllers.push(...(dynamic?.controllers ?? []));
    declared.push(...providers);
    for (const provider of providers) {
      if (typeof provider === 'function') found.push(provider);
      else if ('useClass' in provider) found.push(provider.useClass);
    }
    const imports: ModuleRef[] = [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass) as ModuleRef[] | undefined) ?? []),
      ...((dynamic?.imports ?? []) as ModuleRef[]),
    ];
    imports.forEach(visit);
  };
  visit(root);
  return { providers: found, controllers, declared };
}

const isProcessor = (provider: Type) => Reflect.hasMetadata(PROCESSOR_METADATA, provider);

/** The classes a graph injects into the order state machine's cancellation hooks. */
function cancellationHooks(root: ModuleRef): string[] {
  return walk(root)
    .declared.filter(
      (provider): provider is FactoryProvider =>
        typeof provider === 'object' &&
        provider.provide === ORDER_CANCELLATION_HOOKS &&
        'useFactory' in provider,
    )
    .flatMap((provider) => (provider.inject ?? []).map((token) => (token as Type).name));
}

/** The classes a graph binds to the inventory's storefront-availability port. */
function storefrontAvailability(root: ModuleRef): string[] {
  return walk(root)
    .declared.filter(
      (provider): provider is Extract<Provider, { useExisting: unknown }> =>
        typeof provider === 'object' &&
        provider.provide === STOREFRONT_AVAILABILITY &&
        'useExisting' in provider,
    )
    .map((provider) => (provider.useExisting as Type).name);
}

describe('process module graphs', () => {
  const config = loadConfig({});

  it('the API registers no Bull processor (it must never consume jobs)', () => {
    const processors = providerClasses(ApiModule.forRoot(config)).filter(isProcessor);
    expect(processors.map((processor) => processor.name)).toEqual([]);
  });

  it('the worker does register the processors (so the check above can see one)', () => {
    const processors = providerClasses(WorkerModule.forRoot(config)).filter(isProcessor);
    expect(processors.map((processor) => processor.name)).toEqual(
      expect.arrayContaining(['OutboxMaintenanceProcessor', 'MailProcessor']),
    );
  });

  it('the worker serves no HTTP controller, at any depth', () => {
    expect(controllerClasses(WorkerModule.forRoot(config)).map((controller) => controller.name)).toEqual([]);
    // Positive control: the same walk finds the API's controllers.
    expect(controllerClasses(ApiModule.forRoot(config)).map((controller) => controller.name)).toContain(
      'HealthController',
    );
  });

  it('both processes give a cancelled order its money back: payments join the cancellation hooks', () => {
    // Without the provider neither process boots (Nest cannot resolve OrderTransitionsService); this checks
    // that the one provided names the payments' hook, in each graph exactly once.
    expect(cancellationHooks(ApiModule.forRoot(config))).toEqual(['PaymentReversalsService']);
    expect(cancellationHooks(WorkerModule.forRoot(config))).toEqual(['PaymentReversalsService']);
  });

  it('both processes tell the storefront when stock changes: the catalog implements the inventory port', () => {
    expect(storefrontAvailability(ApiModule.forRoot(config))).toEqual(['StorefrontAvailabilityAdapter']);
    expect(storefrontAvailability(WorkerModule.forRoot(config))).toEqual(['StorefrontAvailabilityAdapter']);
  });
});
