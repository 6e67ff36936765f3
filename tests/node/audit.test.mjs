// tools/audit.mjs decides from `npm audit --json`: these are the report shapes npm 9 prints.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { auditVerdict, knownAdvisoryFindings } from '../../tools/audit.mjs';

const report = (vulnerabilities, counts) =>
  JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: { vulnerabilities: counts } });
const zero = { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 };

test('a clean report passes', () => {
  assert.equal(auditVerdict(report({}, zero)).status, 'clean');
});

test('low and moderate findings pass, high and critical fail with the package named', () => {
  const moderate = { uplot: { name: 'uplot', severity: 'moderate', via: [{ title: 'ReDoS' }] } };
  assert.equal(auditVerdict(report(moderate, { ...zero, moderate: 1, total: 1 })).status, 'clean');
  for (const severity of ['high', 'critical']) {
    const v = auditVerdict(report({ uplot: { name: 'uplot', severity, via: [{ title: 'Prototype pollution' }] } },
      { ...zero, [severity]: 1, total: 1 }));
    assert.equal(v.status, 'findings');
    assert.deepEqual(v.findings, [{ name: 'uplot', severity, title: 'Prototype pollution' }]);
  }
});

test('a count without details still fails', () => {
  assert.equal(auditVerdict(report({}, { ...zero, high: 2, total: 2 })).status, 'findings');
});

test('an unreachable advisory service is told apart from a broken report', () => {
  const err = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 });
  const v = auditVerdict(err);
  assert.equal(v.status, 'unreachable');
  assert.match(v.reason, /405/);
  assert.equal(auditVerdict('npm ERR! something').status, 'unreadable');
  assert.equal(auditVerdict('{"auditReportVersion":2}').status, 'unreadable');
});

test('offline fallback: the committed list catches uPlot below 1.6.31 and passes what we ship', () => {
  const known = JSON.parse(readFileSync(new URL('../../tools/known-advisories.json', import.meta.url), 'utf8'));
  assert.equal(knownAdvisoryFindings(['uplot@1.6.30'], known).length, 1);
  assert.match(knownAdvisoryFindings(['uplot@1.6.30'], known)[0].title, /CVE-2024-21489/);
  assert.deepEqual(knownAdvisoryFindings(['uplot@1.6.31', 'uplot@1.6.32', 'uplot@2.0.0', 'other@0.0.1'], known), []);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.deepEqual(knownAdvisoryFindings(Object.entries(pkg.dependencies).map(([n, v]) => `${n}@${v}`), known), []);
});
