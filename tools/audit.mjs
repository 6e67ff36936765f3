// `npm audit` over the shipped dependencies (package.json "dependencies", not the dev
// tools that only build and test): fails on any high or critical advisory.
//
//   node tools/audit.mjs            exit 0: clean
//                                   exit 1: a high/critical finding, or an unreadable report
//
// Some machines reach the npm registry through a mirror that serves package downloads (GET)
// but refuses the advisory endpoint (POST, HTTP 405). Then the audit says so and falls back
// to tools/known-advisories.json, a committed list of the high/critical advisories known for
// the shipped packages (uPlot's CVE-2024-21489 below 1.6.31), instead of passing blind.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** x.y.z below y.y.z (plain numeric semver; pre-release tags are not used by shipped packages). */
function below(version, limit) {
  const a = version.split(/[.+-]/).map(Number), b = limit.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0);
  return false;
}

/**
 * The fallback when the advisory service is unreachable: shipped packages (name@version)
 * against the committed list of known high/critical advisories (tools/known-advisories.json).
 */
export function knownAdvisoryFindings(shipped, known) {
  const findings = [];
  for (const spec of shipped) {
    const at = spec.lastIndexOf('@');
    const name = spec.slice(0, at), version = spec.slice(at + 1);
    for (const a of known.advisories || [])
      if (a.package === name && below(version, a.below) && ['high', 'critical'].includes(a.severity))
        findings.push({ name, severity: a.severity, title: `${a.id}: ${a.title}` });
  }
  return findings;
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
    case 'unreachable': {
      console.log(`npm audit: the advisory service is unreachable from this machine (${v.reason})`);
      const known = JSON.parse(readFileSync(new URL('./known-advisories.json', import.meta.url), 'utf8'));
      const findings = knownAdvisoryFindings(shipped, known);
      for (const f of findings) console.log(`known advisory: ${f.severity}: ${f.name}: ${f.title}`);
      console.log(findings.length
        ? 'npm audit (offline list): FAILED, a shipped package has a known high/critical advisory'
        : `npm audit (offline list of ${known.advisories.length}, checked ${known.checked}): no known high or critical advisory in the shipped packages`);
      return findings.length ? 1 : 0;
    }
    default:
      console.log(`npm audit: FAILED, ${v.reason}`);
      return 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(main());
