/**
 * Shell completion, which commander does not offer: `jit completion` prints a bash function
 * (zsh takes it after `bashcompinit`) that asks `jit __complete <words so far>` for the next words,
 * read from the same command tree that parses them, so completion never drifts from the commands.
 */
import type { Command } from "commander";

/** The bash script to source: `source <(jit completion)`, with `jit` on PATH (npm link, or an alias). */
export const BASH_SCRIPT = `# jit completion for bash (for zsh: autoload -U bashcompinit && bashcompinit first)
_jit() {
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "$(jit __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -F _jit jit`;

/** The words that may follow `words`: the deepest command's subcommands, else its options. */
export function completions(program: Command, words: string[]): string[] {
  let command = program;
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word);
    if (sub) command = sub;
  }
  const visible = command.commands.filter((c) => c.name() !== "help").map((c) => c.name());
  if (visible.length) return visible.sort();
  return [...command.options.map((o) => o.long ?? ""), "--help"].filter(Boolean);
}
