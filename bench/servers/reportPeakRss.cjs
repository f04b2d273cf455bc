// Preloaded (node --require) into a process whose peak memory the benchmark wants: on exit it
// writes the process's VmHWM (peak RSS) and its CPU time (user + system) to stderr, read as it
// ends, so nothing after it is missed.
const { readFileSync } = require('node:fs');

process.on('exit', () => {
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (match !== null) process.stderr.write(`\nbench-peak-rss-kb=${match[1]}\n`);
  const { user, system } = process.cpuUsage();
  process.stderr.write(`bench-exit-cpu-us=${user + system}\n`);
});
