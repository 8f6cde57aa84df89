/** git could not be run, failed, or printed something the reader does not recognise. */
export class GitReadError extends Error {
  override readonly name = 'GitReadError'
}
