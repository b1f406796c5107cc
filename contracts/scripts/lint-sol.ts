/**
 * `npm run lint:sol`: `forge lint` over src/, failing on any finding. (forge lint reports findings but exits 0,
 * and `--deny warnings` covers compiler diagnostics only.) Separate out/cache folders keep lint's partial
 * artifacts away from the build's.
 */
import { spawnSync } from 'node:child_process';

const result = spawnSync('forge', ['lint', 'src', '--out', 'cache/lint-out', '--cache-path', 'cache/lint-cache'], {
  encoding: 'utf8',
});
const output = `${result.stdout}${result.stderr}`;
process.stdout.write(output);
const findings = output.match(/^(warning|error|note|help)\[[\w-]+\]/gm) ?? [];
if (result.status !== 0 || findings.length > 0) {
  console.error(`forge lint: ${findings.length} finding(s)${result.status ? `, exit code ${result.status}` : ''}`);
  process.exit(1);
}
console.log('forge lint: clean');
