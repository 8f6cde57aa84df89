import { EXIT, UsageError, type CliCommand, type CliIo } from './cli-io.js'
import { suggestClosest } from './suggest.js'

function usage(commands: readonly CliCommand[]): string {
  return `usage:\n${commands.map((command) => `  ${command.usage}`).join('\n')}\n`
}

/** The flags a command's usage line names (`--repo`, `--dry-run`): what a mistyped flag is compared with. */
function flagsOf(command: CliCommand): string[] {
  return [...new Set([...command.usage.matchAll(/--[a-z][a-z-]*/g)].map((match) => match[0]))]
}

const HELP_FLAGS = ['--help', '-h']

/** The message for a usage mistake: what was wrong, a did-you-mean for an unknown flag, then the command's usage. */
function describeUsageError(command: CliCommand, error: Error): string {
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(error.message)?.[1]
  const message = unknown ? `unknown option ${unknown}` : error.message.replace(/\nusage: [\s\S]*$/, '')
  const suggestion = unknown ? suggestClosest(unknown, flagsOf(command)) : undefined
  return `jit ${command.name}: ${message}${suggestion ? ` (did you mean ${suggestion}?)` : ''}\nusage: ${command.usage}\n`
}

/**
 * The `jit` command line over the given commands (the usage text lists them in this order). Returns
 * the exit code; never throws for user mistakes.
 */
export async function main(argv: readonly string[], io: CliIo, commands: readonly CliCommand[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage(commands))
    return name ? EXIT.ok : EXIT.invalid
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (!command) {
    const suggestion = suggestClosest(
      name,
      commands.map((candidate) => candidate.name),
    )
    io.stderr.write(`jit: unknown command "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}\n${usage(commands)}`)
    return EXIT.invalid
  }
  if (rest.some((arg) => HELP_FLAGS.includes(arg))) {
    io.stdout.write(`usage: ${command.usage}\n`)
    return EXIT.ok
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(describeUsageError(command, error as Error))
      return EXIT.invalid
    }
    io.stderr.write(`jit ${name}: internal error (this is a bug, please report it): ${(error as Error).stack ?? String(error)}\n`)
    return EXIT.bug
  }
}
