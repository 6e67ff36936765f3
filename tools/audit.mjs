// `npm audit` over the shipped dependencies (package.json "dependencies", not the dev
// tools that only build and test): fails on any high or critical advisory.
//
//   node tools/audit.mjs            exit 0: clean, or the advisory service unreachable (said loudly)
//                                   exit 1: a high/critical finding, or an unreadable report
//
// Why "unreachable" is not a failure: some machines reach the npm registry through a mirror
// that serves package downloads (GET) but refuses the advisory endpoint (POST, HTTP 405). The
// audit then has no data to judge by; we print that, and what was shipped, instead of
// pretending it passed or blocking every test run on a service we cannot reach.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BLOCKING = ['high', 'critical'];

/**
 * Reads `npm audit --json` output. Returns { status: 'clean' | 'findings' | 'unreachable' |
 * 'unreadable', counts, findings: [{ name, severity, title }], reason }.
 */
export function auditVerdict(text) {
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    return { status: 'unreadable', reason: 'npm audit did not print JSON', findings: [] };
  }
  const counts = report?.metadata?.vulnerabilities;
  if (!counts || typeof counts !== 'object') {
    if (report?.statusCode || report?.error || report?.message)
      return { status: 'unreachable', reason: report.message || `HTTP ${report.statusCode}`, findings: [] };
    return { status: 'unreadable', reason: 'no metadata.vulnerabilities in the report', findings: [] };
  }
  const findings = [];
  for (const [name, v] of Object.entries(report.vulnerabilities || {})) {
    if (!BLOCKING.includes(v.severity)) continue;
    const titles = (v.via || []).filter((x) => typeof x === 'object').map((x) => x.title);
    findings.push({ name, severity: v.severity, title: titles.join('; ') || '(via a dependency)' });
  }
  const blocking = BLOCKING.reduce((n, s) => n + (counts[s] || 0), 0);
  return { status: blocking > 0 || findings.length ? 'findings' : 'clean', counts, findings };
}

function npm(args) {
  try {
    return execFileSync('npm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120000 });
  } catch (e) {
    return e.stdout || ''; // npm audit exits non-zero on findings and on errors; the JSON says which
  }
}

function main() {
  const tree = JSON.parse(npm(['ls', '--omit=dev', '--all', '--json']) || '{}');
  const shipped = [];
  (function walk(deps) {
    for (const [name, d] of Object.entries(deps || {})) {
      shipped.push(`${name}@${d.version}`);
      walk(d.dependencies);
    }
  })(tree.dependencies);
  console.log(`shipped npm packages: ${shipped.join(', ') || '(none)'}`);
  const v = auditVerdict(npm(['audit', '--omit=dev', '--json']));
  switch (v.status) {
    case 'clean':
      console.log(`npm audit: no high or critical advisory (${JSON.stringify(v.counts)})`);
      return 0;
    case 'findings':
      for (const f of v.findings) console.log(`npm audit: ${f.severity}: ${f.name}: ${f.title}`);
      console.log(`npm audit: FAILED, high/critical advisories in shipped packages (${JSON.stringify(v.counts)})`);
      return 1;
    case 'unreachable':
      console.log(`npm audit: NOT CHECKED, the advisory service is unreachable from this machine (${v.reason})`);
      return 0;
    default:
      console.log(`npm audit: FAILED, ${v.reason}`);
      return 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(main());
