// Preloaded (node --require) into the mock sender: on exit it writes to stderr the CPU time (user +
// system, µs) the process used from its first outgoing connection or request on, so start-up
// (loading modules, reading options) is not charged to the deliveries, and the whole process's.
// The first one is seen on the diagnostics channels of node:net, undici and node:http; the
// subscription ends there, so the channels cost nothing per request afterwards.
const diagnostics = require('node:diagnostics_channel');

const channels = ['net.client.socket', 'undici:request:create', 'http.client.request.start'];
let atFirstRequest;

function onFirstRequest() {
  atFirstRequest = process.cpuUsage();
  for (const name of channels) diagnostics.unsubscribe(name, onFirstRequest);
}
for (const name of channels) diagnostics.subscribe(name, onFirstRequest);

process.on('exit', () => {
  if (atFirstRequest === undefined) return;
  const used = process.cpuUsage(atFirstRequest);
  const total = process.cpuUsage();
  process.stderr.write(
    `\nbench-sending-cpu-us=${used.user + used.system} bench-total-cpu-us=${total.user + total.system}\n`,
  );
});
