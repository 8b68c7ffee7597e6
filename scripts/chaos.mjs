// npm run chaos: the chaos scenarios of issue 19 at their full counts (100 jobs of each kind; 5 API
// kills at each of 4 checkout points), then their figures as one table. Each scenario is an e2e spec
// (test/e2e/chaos-*.e2e-spec.ts) that CI runs with small counts; CHAOS_FULL=1 gives them the issue's
// counts. Each writes its figures to reports/chaos/<scenario>.json after its assertions passed; this
// prints them (also as Markdown for BENCHMARKS.md with --markdown, reading what the last run wrote).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const figuresDir = join(root, 'reports/chaos');
const markdownOnly = process.argv.includes('--markdown');

if (!markdownOnly) {
  rmSync(figuresDir, { recursive: true, force: true });
  const jest = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/jest/bin/jest.js'),
      '--selectProjects',
      'e2e',
      '--runInBand',
      'test/e2e/chaos-',
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, CHAOS_FULL: '1' } },
  );
  if (jest.status !== 0) process.exitCode = jest.status ?? 1;
}

let files = [];
try {
  files = readdirSync(figuresDir).filter((name) => name.endsWith('.json'));
} catch {
  // no scenario finished
}
const runs = files.map((name) => JSON.parse(readFileSync(join(figuresDir, name), 'utf8')));
for (const run of runs) {
  const names = Object.keys(run.figures);
  process.stdout.write(`\n${run.scenario} (${run.at})\n`);
  process.stdout.write(`| ${names.join(' | ')} |\n| ${names.map(() => '---').join(' | ')} |\n`);
  process.stdout.write(`| ${names.map((name) => run.figures[name]).join(' | ')} |\n`);
}
if (runs.length === 0) process.stdout.write('no chaos figures were written (every scenario failed?)\n');
