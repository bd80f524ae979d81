// The test run as a reader wants it: one line per suite (project, file, counts, seconds); for a
// failing suite, its failures with their diffs and stacks and then what it printed, which is the
// context of the failure; warnings (a suite saying why it skips) always; everything else a passing
// suite printed, never. PEDIGREE_TEST_OUTPUT=full prints every suite's output as well.
const path = require('node:path');

const full = process.env.PEDIGREE_TEST_OUTPUT === 'full';
const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);

class SuiteReporter {
  constructor(globalConfig) {
    this.root = globalConfig.rootDir;
  }

  onRunStart() {
    this.started = Date.now();
  }

  onTestFileResult(test, result) {
    const failed = result.numFailingTests > 0 || Boolean(result.testExecError);
    const project = test.context.config.displayName?.name ?? '';
    const file = path.relative(this.root, result.testFilePath);
    const counts = [`${result.numPassingTests} passed`];
    if (result.numFailingTests) counts.push(`${result.numFailingTests} failed`);
    if (result.numPendingTests) counts.push(`${result.numPendingTests} skipped`);
    if (result.testExecError && !result.numFailingTests) counts.push('did not run');
    const seconds = ((result.perfStats.end - result.perfStats.start) / 1000).toFixed(1);
    const status = failed ? paint('1;31', 'FAIL') : paint('1;32', 'PASS');
    process.stdout.write(`${status} ${project.padEnd(11)} ${file}  ${counts.join(', ')}  ${seconds} s\n`);

    const printed = (result.console ?? []).filter((entry) => full || failed || entry.type === 'warn' || entry.type === 'error');
    if (failed) process.stdout.write(`${result.failureMessage ?? result.testExecError?.message ?? ''}\n`);
    if (printed.length) {
      if (failed) process.stdout.write(`  what ${file} printed (last ${Math.min(printed.length, 200)} lines):\n`);
      for (const entry of printed.slice(-200)) {
        for (const line of String(entry.message).split('\n')) process.stdout.write(`  ${entry.type === 'log' ? '' : `${entry.type}: `}${line}\n`);
      }
    }
  }

  onRunComplete(_contexts, results) {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const parts = [`${results.numPassedTests} passed`];
    if (results.numFailedTests) parts.push(`${results.numFailedTests} failed`);
    if (results.numPendingTests) parts.push(`${results.numPendingTests} skipped`);
    const suites = `${results.numTotalTestSuites} suites${results.numFailedTestSuites ? `, ${results.numFailedTestSuites} failing` : ''}`;
    const ok = results.numFailedTests === 0 && results.numFailedTestSuites === 0 && results.numRuntimeErrorTestSuites === 0;
    process.stdout.write(`${ok ? paint('1;32', 'tests passed') : paint('1;31', 'TESTS FAILED')}: ${parts.join(', ')} in ${suites}, ${seconds} s\n`);
    if (!ok) {
      for (const r of results.testResults.filter((x) => x.numFailingTests || x.testExecError)) {
        const names = r.testResults.filter((t) => t.status === 'failed').map((t) => t.fullName);
        process.stdout.write(`  ${path.relative(this.root, r.testFilePath)}${names.length ? `: ${names.join('; ')}` : ''}\n`);
      }
    }
  }
}

module.exports = SuiteReporter;
