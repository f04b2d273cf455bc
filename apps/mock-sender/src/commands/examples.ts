import { Command } from 'commander';
import { findExample, loadExamples } from '../payloads/examples.js';

export function examplesCommand(): Command {
  return new Command('examples')
    .description('list the example payloads (or print one: `examples NAME`)')
    .argument('[name]', 'print this example exactly as it is sent (before the fresh id)')
    .option('--json', 'list as JSON: name, event, kind, description')
    .action((name: string | undefined, flags: { json?: boolean }) => {
      const examples = loadExamples();
      if (name !== undefined) {
        process.stdout.write(findExample(name, examples).raw);
        return;
      }
      if (flags.json) {
        const list = examples.map(({ name, event, kind, description }) => ({
          name,
          event,
          kind,
          description,
        }));
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      // A name several event folders share (valid.example) is listed as <event>/<name>, as --example takes it.
      const count = new Map<string, number>();
      for (const e of examples) count.set(e.name, (count.get(e.name) ?? 0) + 1);
      const label = (e: (typeof examples)[number]) =>
        count.get(e.name) === 1 ? e.name : `${e.event}/${e.name}`;
      const width = Math.max(...examples.map((e) => label(e).length));
      const lines = examples.map((e) => `${label(e).padEnd(width)}  ${e.description}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
