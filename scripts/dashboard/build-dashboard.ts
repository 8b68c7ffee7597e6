// Bundles the staff dashboard (src/modules/analytics/dashboard/client) for the API to serve at
// /admin/dashboard: one minified script (Chart.js included, nothing from a CDN) and one stylesheet,
// each named by a hash of its content so they can be cached for a year, and the page that names them.
// `npm run build` runs it after `nest build`; the browser test calls `buildDashboard` itself.
//   node -r ts-node/register scripts/dashboard/build-dashboard.ts [outDir]   (default: dist/dashboard)
import { build } from 'esbuild';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
export const DASHBOARD_CLIENT_DIR = join(ROOT, 'src/modules/analytics/dashboard/client');
export const DEFAULT_DASHBOARD_DIR = join(ROOT, 'dist/dashboard');

export interface DashboardBuild {
  outDir: string;
  /** File names (in outDir) of the page's script and stylesheet. */
  script: string;
  style: string;
  /** Bytes of every file written, by name. */
  sizes: Record<string, number>;
}

/**
 * Builds the dashboard into `outDir`, replacing what was there. The files are written to a sibling
 * directory first and renamed into place, so a server (or a parallel test) never reads half a build.
 */
export async function buildDashboard(outDir: string = DEFAULT_DASHBOARD_DIR): Promise<DashboardBuild> {
  const result = await build({
    entryPoints: [join(DASHBOARD_CLIENT_DIR, 'main.ts'), join(DASHBOARD_CLIENT_DIR, 'dashboard.css')],
    bundle: true,
    minify: true,
    format: 'esm',
    // What the page's users run: evergreen browsers (the test drives Debian's Chromium).
    target: ['chrome115', 'firefox115', 'safari16'],
    tsconfig: join(DASHBOARD_CLIENT_DIR, 'tsconfig.json'),
    entryNames: 'dashboard-[hash]',
    outdir: outDir,
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'eof',
  });
  const files = result.outputFiles.map((file) => ({ name: basename(file.path), contents: file.contents }));
  const script = files.find((file) => file.name.endsWith('.js'))?.name;
  const style = files.find((file) => file.name.endsWith('.css'))?.name;
  if (!script || !style)
    throw new Error(`esbuild wrote no script or stylesheet: ${files.map((f) => f.name).join(', ')}`);
  const template = await readFile(join(DASHBOARD_CLIENT_DIR, 'index.html'), 'utf8');
  const page = template
    .replace('{{script}}', `/admin/dashboard/assets/${script}`)
    .replace('{{style}}', `/admin/dashboard/assets/${style}`);
  files.push({ name: 'index.html', contents: Buffer.from(page, 'utf8') });

  const staging = `${outDir}.${process.pid}.${Date.now()}.tmp`;
  await mkdir(staging, { recursive: true });
  for (const file of files) await writeFile(join(staging, file.name), file.contents);
  await mkdir(dirname(outDir), { recursive: true });
  const old = `${staging}.old`;
  await rename(outDir, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(staging, outDir);
  await rm(old, { recursive: true, force: true });
  return {
    outDir,
    script,
    style,
    sizes: Object.fromEntries(files.map((file) => [file.name, file.contents.byteLength])),
  };
}

if (require.main === module) {
  const outDir = resolve(process.argv[2] ?? DEFAULT_DASHBOARD_DIR);
  buildDashboard(outDir).then(
    (built) => {
      const kb = (name: string) => `${(built.sizes[name] / 1024).toFixed(1)} KB`;
      process.stdout.write(
        `dashboard: ${built.outDir} (${built.script} ${kb(built.script)}, ${built.style} ${kb(built.style)})\n`,
      );
    },
    (error: unknown) => {
      process.stderr.write(
        `dashboard build failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
