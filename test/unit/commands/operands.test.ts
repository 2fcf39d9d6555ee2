// operandsNotOptions: the command line as the parser is given it, for a small command tree: a dash-led
// id of the declared shape becomes an operand (after `--`, with the operands that followed it), a
// dash-led option value is joined to its flag, and everything else is left as it was.
import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { dashLedOperand, operandsNotOptions } from '../../../src/commands/operands.js';

const ID = '-l0OabHPLGSpqOi-5turjg';

function tree(): Command {
  const program = new Command('rdp').option('-q, --quiet').option('--json');
  program.addCommand(dashLedOperand(new Command('publish'), [/^[A-Za-z0-9_-]{22}$/]).argument('<id>').option('--on <service>').option('--doi').option('--secret [value]'));
  program.addCommand(new Command('upload').argument('<path...>').option('--upload <id>').option('-o, --output <file>'));
  const group = new Command('uploads');
  group.addCommand(dashLedOperand(new Command('show'), [/^[A-Za-z0-9_-]{22}$/]).argument('<id>'));
  program.addCommand(group);
  return program;
}

describe('operandsNotOptions', () => {
  test.each([
    // the id, wherever it stands, after `--` (with the operands after it, in order)
    [['publish', ID, '--on', 'nomad'], ['publish', '--on', 'nomad', '--', ID]],
    [['--json', 'publish', '--on', 'nomad', ID, '--doi'], ['--json', 'publish', '--on', 'nomad', '--doi', '--', ID]],
    [['publish', ID, 'extra', '--doi'], ['publish', '--doi', '--', ID, 'extra']],
    [['publish', ID, '--on', 'nomad', '--', 'more'], ['publish', '--on', 'nomad', '--', ID, 'more']],
    [['uploads', 'show', ID], ['uploads', 'show', '--', ID]],
    // an option's value is not an operand, even of the id's shape
    [['publish', '--on', ID, 'x'], ['publish', '--on=' + ID, 'x']],
    // a dash-led value joined to its flag (long and short), so that no level reads it as flags
    [['upload', 'a', '--upload', '-qAbHPLGSpqOi-5turjgxy'], ['upload', 'a', '--upload=-qAbHPLGSpqOi-5turjgxy']],
    [['upload', 'a', '-o', '-Vfile'], ['upload', 'a', '-o-Vfile']],
    // an optional value never begins with a dash (the parser's rule): the flag stays bare, the id is the operand
    [['publish', '--secret', ID], ['publish', '--secret', '--', ID]],
  ])('%j -> %j', (argv, expected) => {
    expect(operandsNotOptions(tree(), argv)).toEqual(expected);
  });

  test.each([
    [['publish', '--bogus']],
    [['publish', '123', '-x']],
    [['publish', '-l0OabHPLGSpqOi-5turj']], // 21 characters
    [['publish', '--abhplgspqoi-turjgxyz']], // a long option's shape
    [['publish', '--on', 'nomad', '--', ID]], // `--` given already
    [['publish', '-q', '123']], // a known short flag
    [['upload', ID]], // upload's operands take no such id
    [['upload', 'a', '-o', '-']], // "-" is a value like any other
    [['frobnicate', ID]], // no such command
    [[ID]],
  ])('%j is left as it is', (argv) => {
    expect(operandsNotOptions(tree(), argv)).toEqual(argv);
  });

  test('a double-dash id with a capital or digit is an id; in lower case it may be an option', () => {
    expect(operandsNotOptions(tree(), ['publish', '--AbHPLGSpqOi-5turjgxy'])).toEqual(['publish', '--', '--AbHPLGSpqOi-5turjgxy']);
  });
});
