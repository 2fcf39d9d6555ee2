import { Argument, Command } from 'commander';
import type { Context } from '../context.js';
import { examples, run } from './shared.js';

export function completionCommand(ctx: Context): Command {
  return new Command('completion')
    .description('Print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples([
        'rdp completion bash > ~/.local/share/bash-completion/completions/rdp',
        'rdp completion zsh > "${fpath[1]}/_rdp"',
        'rdp completion fish > ~/.config/fish/completions/rdp.fish',
      ]) + '\nThe same scripts ship in the package, under completions/.\n',
    )
    .action(
      run(ctx, async (shell: 'bash' | 'zsh' | 'fish', _opts: unknown, cmd: Command) => {
        const { completionScript } = await import('../completion/generate.js');
        let root = cmd;
        while (root.parent) root = root.parent;
        ctx.io.streams.stdout.write(completionScript(root, shell));
      }),
    );
}
