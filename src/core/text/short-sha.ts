/** A commit or blob SHA as people read it: its first seven characters, as GitHub shows them. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7)
}
