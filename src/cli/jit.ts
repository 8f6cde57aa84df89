import { CHECK_USAGE, runCheckCommand } from './check-command.js'
import { EXIT, UsageError, type CliIo } from './cli-io.js'
import { VALIDATE_USAGE, runValidateCommand } from './validate-command.js'

type Command = (args: readonly string[], io: CliIo) => Promise<number>

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  check: { run: runCheckCommand, usage: CHECK_USAGE },
  validate: { run: runValidateCommand, usage: VALIDATE_USAGE },
}

/** Registers more commands (sweep, revoke) without this file importing their adapters. */
export function registerCommand(name: string, run: Command, usage: string): void {
  COMMANDS[name] = { run, usage }
}

function usage(): string {
  return `usage:\n${Object.values(COMMANDS)
    .map((command) => `  ${command.usage}`)
    .join('\n')}\n`
}

/** The `jit` command line. Returns the exit code; never throws for user mistakes. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage())
    return name ? EXIT.ok : EXIT.invalid
  }
  const command = COMMANDS[name]
  if (!command) {
    io.stderr.write(`jit: unknown command "${name}"\n${usage()}`)
    return EXIT.invalid
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`jit ${name}: ${(error as Error).message}\n`)
      return EXIT.invalid
    }
    io.stderr.write(`jit ${name}: internal error (this is a bug, please report it): ${(error as Error).stack ?? String(error)}\n`)
    return EXIT.bug
  }
}
