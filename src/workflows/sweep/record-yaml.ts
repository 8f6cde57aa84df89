import { recordFolder, type AccessRecord, type GrantRecord, type IntentRecord } from '../../core/records/grant-record.js'
import { formatRecordDocument, parseRecordDocument } from '../../core/records/record-document.js'

/** A record file that cannot be read as a grant record: reported by the sweep and left alone. */
export class UnreadableRecordError extends Error {
  override readonly name = 'UnreadableRecordError'
  constructor(
    readonly path: string,
    /** What the parser said, without the path. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${detail}`, options)
  }
}

/**
 * Parses and validates `grants/active/<id>.yaml` against the record schema (the record must say it
 * is active and live where its id says). Throws UnreadableRecordError naming the file and line.
 */
export function parseGrantRecordText(path: string, text: string): GrantRecord {
  return parseRecordIn(path, text, 'active') as GrantRecord
}

/** Parses and validates `grants/pending/<id>.yaml`: an intent, where its id says. Throws UnreadableRecordError. */
export function parseIntentRecordText(path: string, text: string): IntentRecord {
  return parseRecordIn(path, text, 'granting') as IntentRecord
}

function parseRecordIn(path: string, text: string, state: 'active' | 'granting'): AccessRecord {
  const parsed = parseRecordDocument({ file: path, text })
  if (!parsed.ok) throw new UnreadableRecordError(path, parsed.errors.map((error) => `line ${error.line}: ${error.message}`).join('; '))
  const record = parsed.value
  if (record.state !== state)
    throw new UnreadableRecordError(path, `state is ${record.state}, but only ${state} records live in ${recordFolder(state)}/`)
  return record
}

/** Renders a record as the YAML committed under `grants/`. */
export function renderGrantRecordYaml(record: GrantRecord | IntentRecord): string {
  return formatRecordDocument(record)
}
