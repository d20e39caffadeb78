// Renders a results file again (after a change to report.ts), without measuring anything:
// node bench/tmp/build/bench/render.js [bench/results/latest.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS } from './lib/paths.js';
import { renderTables } from './report.js';

const file = process.argv[2] ?? join(RESULTS, 'latest.json');
const results = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const tables = renderTables(results);
writeFileSync(file.replace(/\.json$/, '.md'), `Run of ${results.startedAt} (${results.mode}, ${results.durationSeconds} s): \`${results.command}\`\n${tables}`);
process.stdout.write(tables);
