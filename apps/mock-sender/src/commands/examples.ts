import { Command } from 'commander';
import { findExample, loadExamples } from '../fixtures/examples.js';

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
      const width = Math.max(...examples.map((e) => e.name.length));
      const lines = examples.map((e) => `${e.name.padEnd(width)}  ${e.description}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
