import { EnvironmentVariables, loadConfig } from '@app/config';
import { PATH_METADATA } from '@nestjs/common/constants';
import { getMetadataStorage } from 'class-validator';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { HealthController } from '../modules/health/health.controller';

// The Kubernetes manifests of deploy/kubernetes (docs/operations.md), checked in CI (`npm run deploy:check`):
// each object against the Kubernetes schema by scripts/deploy-check.mjs (kubernetes-models is ESM-only,
// so it runs in its own node process), then against the app itself: its config validation, health
// routes, port, shutdown deadlines and entry points.

const ROOT = join(__dirname, '../..');
/** src/main.ts and src/worker.ts give closing pools this long past their own shutdown timeout. */
const SHUTDOWN_MARGIN_MS = 5_000;
/** MySQL's (and MariaDB's) default max_connections, the budget of the pools (ConfigMap, DB_POOL_SIZE). */
const MYSQL_MAX_CONNECTIONS = 151;

interface EnvFromSource {
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: EnvFromSource[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}
interface Workload {
  kind: string;
  metadata: { name: string };
  spec: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
  };
}
interface Checked {
  files: string[];
  kustomization: { images?: Array<{ name: string }> };
  objects: Array<{ file: string; kind: string; name: string; object: Record<string, unknown> }>;
  problems: string[];
}

/** Runs the schema check; its report as JSON (its exit code is 1 when it found problems). */
function runDeployCheck(dir = 'deploy/kubernetes'): Checked {
  try {
    return JSON.parse(
      execFileSync(process.execPath, ['scripts/deploy-check.mjs', '--json', dir], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ) as Checked;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (stdout) return JSON.parse(stdout) as Checked;
    throw error;
  }
}

/** Every variable the app's config declares (optional ones included), from its validation metadata. */
const knownVariables = (): Set<string> =>
  new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
      .map((metadata) => metadata.propertyName),
  );

/** A path to the full route of a HealthController handler (`/health/ready`). */
const healthRoute = (handler: keyof HealthController): string =>
  `/${String(Reflect.getMetadata(PATH_METADATA, HealthController))}/${String(
    Reflect.getMetadata(PATH_METADATA, HealthController.prototype[handler]),
  )}`;

type ManifestObject = Checked['objects'][number];

/**
 * Fields Kubernetes does not know (`readinesProbe`), which the JSON schemas let through: each object is
 * type-checked as an object literal of its kubernetes-models interface (`IDeployment`), so TypeScript's
 * excess-property check reports an unknown field at any depth (kubeconform's --strict). One message
 * per problem, prefixed with the object's file, kind and name.
 */
function unknownFields(objects: ManifestObject[]): string[] {
  const file = join(ROOT, 'deploy-manifests.generated.ts');
  const text = objects
    .map(
      ({ kind, object }, index) =>
        `import type { I${kind} as T${index} } from 'kubernetes-models/${String(object.apiVersion)}/${kind}';\n` +
        `export const object${index}: T${index} = ${JSON.stringify(object)};`,
    )
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line
        : -1;
    const entry = objects[Math.floor(line / 2)] as ManifestObject | undefined;
    const where = entry ? `${entry.file} (${entry.kind} ${entry.name})` : 'generated file';
    return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}

/** Values that pass the app's validation, for the Secret's placeholders. */
const filledSecret = (data: Record<string, string>): Record<string, string> => ({
  ...data,
  DB_PASSWORD: 'db-password',
  AUTH_JWT_SECRET: randomBytes(48).toString('base64'),
  ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  METRICS_TOKEN: randomBytes(32).toString('hex'),
});

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const checked = runDeployCheck();
  const find = <T>(kind: string, name: string): T => {
    const found = checked.objects.find((entry) => entry.kind === kind && entry.name === name);
    if (!found) throw new Error(`${kind} ${name} is not in deploy/kubernetes`);
    return found.object as T;
  };
  const configMap = find<{ data: Record<string, string> }>('ConfigMap', 'storekeep-config');
  const secret = find<{ metadata: { name: string }; stringData: Record<string, string> }>(
    'Secret',
    'storekeep-secrets',
  );
  const api = find<Workload>('Deployment', 'storekeep-api');
  const worker = find<Workload>('Deployment', 'storekeep-worker');
  const migrate = find<Workload>('Job', 'storekeep-migrate');
  const workloads = [api, worker, migrate];

  /** The environment a container gets, with the Secret as given (defaults: the example's placeholders). */
  const environmentOf = (container: Container, secretData = secret.stringData): Record<string, string> => {
    const environment: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) {
        expect(source.configMapRef.name).toBe('storekeep-config');
        Object.assign(environment, configMap.data);
      }
      if (source.secretRef) {
        expect(source.secretRef.name).toBe(secret.metadata.name);
        Object.assign(environment, secretData);
      }
    }
    for (const variable of container.env ?? []) environment[variable.name] = variable.value ?? '';
    return environment;
  };
  const only = (workload: Workload): Container => {
    expect(workload.spec.template.spec.containers).toHaveLength(1);
    return workload.spec.template.spec.containers[0];
  };

  it('are valid Kubernetes objects, all listed in kustomization.yaml (but the examples)', () => {
    expect(checked.problems).toEqual([]);
    expect(checked.objects.map((entry) => entry.kind).sort()).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'Deployment',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Job',
        'PodDisruptionBudget',
        'Secret',
        'Service',
      ]),
    );
  });

  it('use no field Kubernetes does not know (and the check finds a misspelt one)', () => {
    // The real objects plus a copy of the API Deployment with a typo, compiled together (one slow
    // type-check): exactly the copy's field is reported.
    const typo = structuredClone(
      checked.objects.find((entry) => entry.name === 'storekeep-api' && entry.kind === 'Deployment'),
    );
    if (!typo) throw new Error('no API Deployment');
    typo.file = 'typo-copy.yaml';
    Object.assign(only(typo.object as unknown as Workload), { livenesProbe: {} });
    expect(unknownFields([...checked.objects, typo])).toEqual([
      expect.stringMatching(
        /^typo-copy\.yaml \(Deployment storekeep-api\): .*'"livenesProbe"' does not exist in type 'IContainer'/,
      ),
    ]);
  }, 30_000);

  it('name only variables the app reads', () => {
    const known = knownVariables();
    expect(known.has('DB_MIGRATIONS_RUN')).toBe(true); // optional ones are there too
    const named = [
      ...Object.keys(configMap.data),
      ...Object.keys(secret.stringData),
      ...workloads.flatMap((workload) => (only(workload).env ?? []).map((variable) => variable.name)),
    ];
    expect(named.filter((name) => !known.has(name))).toEqual([]);
  });

  it('keep secrets in the Secret, never in the ConfigMap', () => {
    const secretLike = /PASSWORD|SECRET|TOKEN|KEYS?$/;
    expect(Object.keys(configMap.data).filter((name) => secretLike.test(name))).toEqual([]);
    expect(
      Object.keys(secret.stringData).filter((name) => !secretLike.test(name) && name !== 'SMTP_USER'),
    ).toEqual([]);
  });

  it('give each process a production configuration the app accepts once the Secret is filled in', () => {
    for (const workload of workloads) {
      const config = loadConfig(environmentOf(only(workload), filledSecret(secret.stringData)));
      expect({ workload: workload.metadata.name, production: config.isProduction }).toEqual({
        workload: workload.metadata.name,
        production: true,
      });
      // The Job migrates; the processes never do at start (no DDL during a rollout).
      expect(config.database.migrationsRun).toBe(false);
    }
  });

  it("start nothing with the example Secret's placeholders (the app refuses them, naming each)", () => {
    expect(() => loadConfig(environmentOf(only(api)))).toThrow(
      /AUTH_JWT_SECRET[\s\S]*ENCRYPTION_KEYS|ENCRYPTION_KEYS[\s\S]*AUTH_JWT_SECRET/,
    );
    expect(() => loadConfig(environmentOf(only(api)))).toThrow(/METRICS_TOKEN/);
  });

  it("probe the API's real health routes on the port it listens on", () => {
    const container = only(api);
    const config = loadConfig(environmentOf(container, filledSecret(secret.stringData)));
    const http = container.ports?.find((port) => port.name === 'http');
    expect(http?.containerPort).toBe(config.http.port);
    expect(container.readinessProbe?.httpGet).toEqual({ path: healthRoute('ready'), port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: healthRoute('live'), port: 'http' });
    expect(container.startupProbe?.httpGet).toEqual({ path: healthRoute('live'), port: 'http' });
    expect(healthRoute('ready')).toBe('/health/ready');

    const service = find<{
      spec: { selector: Record<string, string>; ports: Array<{ targetPort: string }> };
    }>('Service', 'storekeep-api');
    expect(service.spec.ports.map((port) => port.targetPort)).toEqual(['http']);
    expect(api.spec.template.metadata?.labels).toMatchObject(service.spec.selector);
  });

  it('select their own pods (Deployments, the PodDisruptionBudgets, the autoscaler)', () => {
    for (const workload of [api, worker]) {
      expect(workload.spec.template.metadata?.labels).toMatchObject(
        workload.spec.selector?.matchLabels ?? {},
      );
    }
    const autoscaler = find<{
      spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
    }>('HorizontalPodAutoscaler', 'storekeep-api');
    expect(autoscaler.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'storekeep-api' });
    // The autoscaler owns the API's count: a `replicas` in the Deployment would reset it at each apply.
    expect(api.spec.replicas).toBeUndefined();
    for (const [name, workload, fewest] of [
      ['storekeep-api', api, autoscaler.spec.minReplicas],
      ['storekeep-worker', worker, worker.spec.replicas ?? 1],
    ] as const) {
      const budget = find<{
        spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } };
      }>('PodDisruptionBudget', name);
      expect(workload.spec.template.metadata?.labels).toMatchObject(budget.spec.selector.matchLabels);
      // A budget of minAvailable 1 on a single replica would block every node drain.
      expect(fewest).toBeGreaterThan(budget.spec.minAvailable);
    }
  });

  it("apply what the migrations Job needs in a release's first step, and nothing that rolls", () => {
    const firstStep = checked.objects
      .filter((entry) => {
        const labels = (entry.object.metadata as { labels?: Record<string, string> }).labels ?? {};
        return labels['storekeep/release-step'] === 'schema';
      })
      .map((entry) => `${entry.kind} ${entry.name}`);
    expect(firstStep.sort()).toEqual([
      'ConfigMap storekeep-config',
      'Job storekeep-migrate',
      'Namespace storekeep',
    ]);
  });

  it('leave each process time to drain before SIGKILL', () => {
    const apiPod = api.spec.template.spec;
    const config = loadConfig(environmentOf(only(api), filledSecret(secret.stringData)));
    const preStop = only(api).lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop[0]).toBe('sleep');
    const preStopMs = Number(preStop[1]) * 1000;
    expect(preStopMs).toBeGreaterThan(0);
    expect((apiPod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
      preStopMs + config.http.drainDelayMs + config.http.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS,
    );
    expect((worker.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
      config.worker.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS,
    );
  });

  it('keep the database pools within MySQL connections at the largest scale', () => {
    const config = loadConfig(environmentOf(only(api), filledSecret(secret.stringData)));
    const autoscaler = find<{ spec: { maxReplicas: number } }>('HorizontalPodAutoscaler', 'storekeep-api');
    const processes = autoscaler.spec.maxReplicas + (worker.spec.replicas ?? 1);
    const migrateConnections = 2; // src/cli/migrate.ts: one holds the lock, one migrates
    expect(processes * config.database.poolSize + migrateConnections).toBeLessThanOrEqual(
      MYSQL_MAX_CONNECTIONS,
    );
  });

  it('run the entry points the image builds, as non-root on a read-only filesystem, with memory bounds', () => {
    const imageNames = new Set((checked.kustomization.images ?? []).map((image) => image.name));
    // The API runs the image's CMD (node dist/src/main.js); the others name theirs.
    expect(only(api).command).toBeUndefined();
    expect(only(worker).command).toEqual(['node', 'dist/src/worker.js']);
    expect(only(migrate).command).toEqual(['node', 'dist/src/cli/migrate.js']);
    for (const workload of workloads) {
      const pod = workload.spec.template.spec;
      const container = only(workload);
      const entry = container.command?.[1] ?? 'dist/src/main.js';
      expect(existsSync(join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
      expect(imageNames.has(container.image)).toBe(true);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(container.resources?.requests?.memory).toMatch(/^\d+Mi$/);
      expect(container.resources?.limits?.memory).toMatch(/^\d+Mi$/);
      expect(parseInt(container.resources?.limits?.memory ?? '0', 10)).toBeGreaterThan(
        parseInt(container.resources?.requests?.memory ?? '0', 10),
      );
    }
  });

  it('fail the schema check on a broken copy (a string where Kubernetes wants an integer, a file not listed)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'storekeep-manifests-'));
    try {
      cpSync(join(ROOT, 'deploy/kubernetes'), copy, { recursive: true });
      const edit = (file: string, from: string, to: string) => {
        const text = readFileSync(join(copy, file), 'utf8');
        expect(text).toContain(from);
        writeFileSync(join(copy, file), text.replace(from, to));
      };
      edit('worker-deployment.yaml', '  replicas: 2\n', '  replicas: "2"\n');
      edit('kustomization.yaml', '  - worker-pdb.yaml\n', '');
      expect(runDeployCheck(copy).problems).toEqual([
        'worker-deployment.yaml (Deployment storekeep-worker): /spec/replicas must be integer',
        'kustomization.yaml: does not list worker-pdb.yaml (name it *.example.yaml if it is not to be applied)',
      ]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
