// Validates the Kubernetes manifests under deploy/kubernetes offline:
//   node scripts/deploy-check.mjs [dir]          a line per object; exit 0 valid, 1 not
//   node scripts/deploy-check.mjs --json [dir]   the parsed objects and problems as JSON (for the unit spec)
// Each object is checked against the Kubernetes JSON schema of its apiVersion/kind (the schemas of
// kubernetes-models 5.1.0: types, required fields, enums). Like kubeconform without --strict, the
// schemas let an unknown field through (`readinesProbe`); src/bootstrap/deploy-manifests.spec.ts
// catches those by type-checking each object against its kubernetes-models TypeScript interface.
// kustomization.yaml must list every manifest but the *.example.yaml ones, and only files that exist.
// The cross-checks with the app (its config validation, probe paths, ports) are in that spec too:
// `npm run deploy:check` runs it, and this script through it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const KUSTOMIZATION = 'kustomization.yaml';

const args = process.argv.slice(2);
const json = args.includes('--json');
const dir = resolve(args.find((arg) => !arg.startsWith('--')) ?? 'deploy/kubernetes');

/** `apps/v1` → the kubernetes-models module of that group and version (`v1` is the core group). */
const modelModule = (apiVersion) => `kubernetes-models/${apiVersion}`;

async function validateObject(object) {
  const { apiVersion, kind } = object ?? {};
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind are required'];
  let models;
  try {
    models = await import(modelModule(apiVersion));
  } catch {
    return [`unknown apiVersion ${apiVersion}`];
  }
  const Model = models[kind];
  if (typeof Model !== 'function') return [`unknown kind ${kind} in ${apiVersion}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    const details = Array.isArray(error.errors) ? error.errors : [];
    if (details.length === 0) return [String(error.message ?? error)];
    return details.map((detail) => `${detail.instancePath || '/'} ${detail.message ?? detail.keyword}`);
  }
}

async function check() {
  const files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  const objects = [];
  const problems = [];
  let kustomization;
  for (const file of files) {
    const documents = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
    for (const [index, document] of documents.entries()) {
      const where = documents.length > 1 ? `${file}#${index + 1}` : file;
      if (document.errors.length > 0) {
        problems.push(...document.errors.map((error) => `${where}: YAML: ${error.message}`));
        continue;
      }
      const object = document.toJS();
      if (object === null || object === undefined) continue;
      if (file === KUSTOMIZATION) {
        kustomization = object;
        continue;
      }
      const errors = await validateObject(object);
      problems.push(...errors.map((error) => `${where} (${object.kind} ${object.metadata?.name}): ${error}`));
      objects.push({
        file,
        kind: object.kind,
        name: object.metadata?.name,
        object,
        valid: errors.length === 0,
      });
    }
  }
  if (!kustomization) problems.push(`${KUSTOMIZATION}: missing`);
  else {
    const listed = kustomization.resources ?? [];
    for (const resource of listed)
      if (!files.includes(resource))
        problems.push(`${KUSTOMIZATION}: lists ${resource}, which does not exist`);
    for (const file of files)
      if (file !== KUSTOMIZATION && !file.endsWith('.example.yaml') && !listed.includes(file))
        problems.push(
          `${KUSTOMIZATION}: does not list ${file} (name it *.example.yaml if it is not to be applied)`,
        );
  }
  return { dir: relative(process.cwd(), dir) || '.', files, kustomization, objects, problems };
}

const result = await check();
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  for (const { file, kind, name, valid } of result.objects)
    process.stdout.write(`${valid ? 'ok  ' : 'FAIL'} ${file}: ${kind} ${name}\n`);
  for (const problem of result.problems) process.stderr.write(`deploy-check: ${problem}\n`);
  process.stdout.write(
    result.problems.length === 0
      ? `deploy-check: ${result.objects.length} objects in ${result.dir} are valid\n`
      : `deploy-check: ${result.problems.length} problem(s)\n`,
  );
}
process.exitCode = result.problems.length === 0 ? 0 : 1;
