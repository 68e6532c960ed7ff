/** The help texts: each command's has examples, and every line fits 100 columns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandHelp, HELP, fullHelp } from './main.js';
import { UNCERTAIN_LEGEND } from './predict.js';

const MAX = 100;

test("every command's help has an examples section with ferkit command lines", async () => {
  const COMMAND_HELP = await commandHelp();
  const names = Object.keys(COMMAND_HELP);
  assert.ok(names.length >= 13, names.join(', '));
  for (const name of names) {
    const help = COMMAND_HELP[name];
    const at = help.search(/^examples:$/im);
    assert.ok(at > 0, `ferkit help ${name} has no "examples:" section`);
    const examples = help
      .slice(at)
      .split('\n')
      .slice(1)
      .filter((l) => l.trim());
    assert.ok(examples.length >= 1, `ferkit help ${name}: no example under "examples:"`);
    assert.ok(
      examples.some((l) => l.trim().startsWith(`ferkit ${name}`)),
      `ferkit help ${name}: no example runs \`ferkit ${name}\``,
    );
  }
});

test(`every line of the help, short and full, is at most ${MAX} characters`, async () => {
  for (const [where, text] of [
    ['ferkit help', HELP],
    ['ferkit help --all', await fullHelp()],
    ['the table legend', UNCERTAIN_LEGEND(0.5)],
  ]) {
    const long = text.split('\n').filter((l) => l.length > MAX);
    assert.deepEqual(long, [], `${where}: ${long.length} line(s) over ${MAX} characters`);
  }
});

test('the short help promises examples only where each command has them, and names every command', async () => {
  assert.match(HELP, /ferkit help <command> +a command's options and examples/);
  for (const name of Object.keys(await commandHelp())) assert.match(HELP, new RegExp(`^  ${name} `, 'm'));
});
