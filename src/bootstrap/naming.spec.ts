import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The naming rule of CONTRIBUTING.md, checked: every injectable in src/ lives in `<name>.<role>.ts`
// and its class is named `<Name><Role>`; module triples are `x.module.ts`, `x-core.module.ts`,
// `x-worker.module.ts`.
const ROLES = [
  'service',
  'repository',
  'controller',
  'processor',
  'guard',
  'interceptor',
  'filter',
  'provider',
  'adapter',
  'cache',
  'registry',
  'parser',
  'strategy',
] as const;
const SRC = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const capitalized = (role: string) => role[0].toUpperCase() + role.slice(1);

/** `file: Class` for each injectable whose file or class name breaks the rule. */
export function namingViolations(files: Array<{ path: string; text: string }>): string[] {
  const violations: string[] = [];
  for (const { path, text } of files) {
    for (const match of text.matchAll(/@Injectable\([^)]*\)\s*export\s+(?:abstract\s+)?class\s+(\w+)/g)) {
      const className = match[1];
      const role = ROLES.find((candidate) => path.endsWith(`.${candidate}.ts`));
      if (!role || !className.endsWith(capitalized(role))) violations.push(`${path}: ${className}`);
    }
    const moduleFile = /([\w-]+)\.module\.ts$/.exec(path);
    if (moduleFile && path.includes('modules/')) {
      const feature = path.split('/')[path.split('/').indexOf('modules') + 1];
      const name = moduleFile[1];
      const allowed = [feature, `${feature}-core`, `${feature}-worker`];
      // A sub-feature (catalog/import) and a port's adapter module (storefront-availability) name themselves.
      const subFeature = !path.endsWith(`modules/${feature}/${name}.module.ts`);
      if (!subFeature && !allowed.includes(name) && !text.includes('@Global()'))
        violations.push(`${path}: module ${name} (expected ${allowed.join(', ')})`);
    }
  }
  return violations;
}

describe('naming rule (CONTRIBUTING.md)', () => {
  const files = sourceFiles(SRC).map((path) => ({
    path: relative(join(SRC, '..'), path),
    text: readFileSync(path, 'utf8'),
  }));

  it('finds the injectables it checks (positive control)', () => {
    const injectables = files.filter((file) => file.text.includes('@Injectable('));
    expect(injectables.length).toBeGreaterThan(60);
  });

  it('every injectable is <Name><Role> in <name>.<role>.ts, every feature module is x, x-core or x-worker', () => {
    expect(namingViolations(files)).toEqual([]);
  });

  it('refuses a file without a role suffix, a class without its role, and a stray module name', () => {
    expect(
      namingViolations([
        { path: 'src/modules/orders/order-opening.ts', text: '@Injectable()\nexport class OrderOpening {}' },
        {
          path: 'src/modules/orders/order-opening.service.ts',
          text: '@Injectable()\nexport class OrderOpening {}',
        },
        {
          path: 'src/modules/orders/order-rules.module.ts',
          text: '@Module({})\nexport class OrderRulesModule {}',
        },
        {
          path: 'src/modules/orders/orders-core.module.ts',
          text: '@Module({})\nexport class OrdersCoreModule {}',
        },
      ]),
    ).toEqual([
      'src/modules/orders/order-opening.ts: OrderOpening',
      'src/modules/orders/order-opening.service.ts: OrderOpening',
      'src/modules/orders/order-rules.module.ts: module order-rules (expected orders, orders-core, orders-worker)',
    ]);
  });
});
