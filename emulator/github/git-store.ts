import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runGit, type GitOutput } from './git-command.js'

/** Who made a commit and when. */
export interface GitIdentity {
  readonly name: string
  readonly email: string
  readonly date: Date
}

/** One entry of a tree, `path` relative to the tree that was listed. */
export interface GitTreeEntry {
  readonly path: string
  readonly mode: string
  readonly type: 'blob' | 'tree' | 'commit'
  readonly sha: string
  /** Blob size in bytes; undefined for trees and submodules. */
  readonly size?: number
}

/** A commit as git stores it. */
export interface GitCommit {
  readonly sha: string
  readonly tree: string
  readonly parents: readonly string[]
  readonly author: GitIdentity
  readonly committer: GitIdentity
  readonly message: string
}

/** A file changed between two commits, as a pull request's "files" lists it. */
export interface GitFileChange {
  readonly path: string
  readonly status: 'added' | 'modified' | 'removed'
  readonly additions: number
  readonly deletions: number
  /** The blob at the head, or the removed blob for a removal. */
  readonly sha: string
  readonly patch?: string
}

/** A tree entry to write: a blob/tree/submodule by sha, or `sha: null` to delete the path. */
export interface GitTreeWrite {
  readonly path: string
  readonly mode: string
  readonly type: 'blob' | 'tree' | 'commit'
  readonly sha: string | null
}

/** The result of merging two commits' trees (`git merge-tree --write-tree`). */
export type GitMergeResult =
  { readonly clean: true; readonly tree: string } | { readonly clean: false; readonly conflicts: readonly string[] }

const zeroSha = '0000000000000000000000000000000000000000'
const shaPattern = /^[0-9a-f]{40}$/

/**
 * A bare git repository on disk driven by the git CLI: every object and ref the emulator serves is real,
 * so `git log` and `git cat-file` agree with what the API answered.
 */
export class GitStore {
  readonly gitDir: string
  readonly defaultBranch: string

  private constructor(gitDir: string, defaultBranch: string) {
    this.gitDir = gitDir
    this.defaultBranch = defaultBranch
  }

  /** Creates (or reopens) a bare repository at `dir` whose HEAD names `defaultBranch`. */
  static async open(params: { dir: string; defaultBranch: string }): Promise<GitStore> {
    await mkdir(params.dir, { recursive: true })
    await runGit({ gitDir: params.dir, args: ['init', '--quiet', '--bare', `--initial-branch=${params.defaultBranch}`] })
    return new GitStore(params.dir, params.defaultBranch)
  }

  /** Runs any git command in this repository (for tests and the control API). */
  run(
    args: readonly string[],
    options: { input?: string | Buffer; env?: Record<string, string>; acceptExitCodes?: readonly number[] } = {},
  ): Promise<GitOutput> {
    return runGit({ gitDir: this.gitDir, args, ...options })
  }

  async writeBlob(content: Buffer): Promise<string> {
    const { stdout } = await this.run(['hash-object', '-w', '--stdin'], { input: content })
    return stdout.toString('utf8').trim()
  }

  /** The object's type, or undefined when no such object exists. */
  async objectType(sha: string): Promise<'blob' | 'tree' | 'commit' | 'tag' | undefined> {
    if (!shaPattern.test(sha)) return undefined
    const { stdout, exitCode } = await this.run(['cat-file', '-t', sha], { acceptExitCodes: [1, 128] })
    if (exitCode !== 0) return undefined
    return stdout.toString('utf8').trim() as 'blob' | 'tree' | 'commit' | 'tag'
  }

  async readBlob(sha: string): Promise<Buffer | undefined> {
    return (await this.readBlobs([sha])).get(sha)
  }

  /** Reads many blobs in one `git cat-file --batch`; missing or non-blob objects are left out. */
  async readBlobs(shas: readonly string[]): Promise<Map<string, Buffer>> {
    const wanted = [...new Set(shas.filter((sha) => shaPattern.test(sha)))]
    const blobs = new Map<string, Buffer>()
    if (wanted.length === 0) return blobs
    const { stdout } = await this.run(['cat-file', '--batch'], { input: wanted.map((sha) => `${sha}\n`).join('') })
    let offset = 0
    while (offset < stdout.length) {
      const headerEnd = stdout.indexOf(0x0a, offset)
      const header = stdout.subarray(offset, headerEnd).toString('utf8').split(' ')
      offset = headerEnd + 1
      if (header[1] === 'missing' || header.length < 3) continue
      const size = Number(header[2])
      if (header[1] === 'blob') blobs.set(header[0] ?? '', stdout.subarray(offset, offset + size))
      offset += size + 1
    }
    return blobs
  }

  /** Lists a tree; `recursive` descends into subtrees and lists only blobs and submodules, as `ls-tree -r` does. */
  async readTree(sha: string, options: { recursive?: boolean; includeTrees?: boolean } = {}): Promise<GitTreeEntry[] | undefined> {
    if ((await this.objectType(sha)) !== 'tree') return undefined
    const args = ['ls-tree', '-z', '--long']
    if (options.recursive) args.push('-r')
    if (options.recursive && options.includeTrees) args.push('-t')
    const { stdout } = await this.run([...args, sha])
    return stdout
      .toString('utf8')
      .split('\0')
      .filter((line) => line.length > 0)
      .map((line) => {
        const tab = line.indexOf('\t')
        const [mode = '', type = 'blob', entrySha = '', size = '-'] = line.slice(0, tab).split(/ +/)
        const entry: GitTreeEntry = { path: line.slice(tab + 1), mode, type: type as GitTreeEntry['type'], sha: entrySha }
        return size === '-' ? entry : { ...entry, size: Number(size) }
      })
  }

  /**
   * Writes a tree from `base` (a tree sha, optional) changed by `writes`, whose paths may be nested
   * ("a/b/c.yaml") as GitHub's create-tree API allows. Returns the new root tree's sha.
   */
  async writeTree(params: { base?: string; writes: readonly GitTreeWrite[] }): Promise<string> {
    const files = new Map<string, { mode: string; type: GitTreeEntry['type']; sha: string }>()
    if (params.base !== undefined) {
      for (const entry of (await this.readTree(params.base, { recursive: true })) ?? []) files.set(entry.path, entry)
    }
    for (const write of params.writes) {
      const path = write.path.replace(/^\/+|\/+$/g, '')
      for (const existing of [...files.keys()]) {
        if (existing === path || existing.startsWith(`${path}/`)) files.delete(existing)
      }
      if (write.sha === null) continue
      if (write.type === 'tree') {
        for (const entry of (await this.readTree(write.sha, { recursive: true })) ?? []) files.set(`${path}/${entry.path}`, entry)
      } else {
        files.set(path, { mode: write.mode, type: write.type, sha: write.sha })
      }
    }
    return this.writeNestedTree(files)
  }

  /** Writes text/binary files (null deletes) on top of `baseTree` and returns the new tree's sha. */
  async writeFiles(baseTree: string | undefined, files: Readonly<Record<string, string | Buffer | null>>): Promise<string> {
    const writes: GitTreeWrite[] = []
    for (const [path, content] of Object.entries(files)) {
      const sha = content === null ? null : await this.writeBlob(typeof content === 'string' ? Buffer.from(content, 'utf8') : content)
      writes.push({ path, mode: '100644', type: 'blob', sha })
    }
    return this.writeTree({ ...(baseTree === undefined ? {} : { base: baseTree }), writes })
  }

  private async writeNestedTree(files: ReadonlyMap<string, { mode: string; type: GitTreeEntry['type']; sha: string }>): Promise<string> {
    const direct: string[] = []
    const subdirs = new Map<string, Map<string, { mode: string; type: GitTreeEntry['type']; sha: string }>>()
    for (const [path, entry] of files) {
      const slash = path.indexOf('/')
      if (slash < 0) {
        direct.push(`${entry.mode} ${entry.type} ${entry.sha}\t${path}\0`)
      } else {
        const dir = path.slice(0, slash)
        const inner = subdirs.get(dir) ?? new Map()
        inner.set(path.slice(slash + 1), entry)
        subdirs.set(dir, inner)
      }
    }
    for (const [dir, inner] of subdirs) direct.push(`040000 tree ${await this.writeNestedTree(inner)}\t${dir}\0`)
    const { stdout } = await this.run(['mktree', '-z'], { input: direct.join('') })
    return stdout.toString('utf8').trim()
  }

  /** Writes a commit object (`git commit-tree`); it is on no branch until a ref points at it. */
  async createCommit(params: {
    tree: string
    parents: readonly string[]
    message: string
    author: GitIdentity
    committer?: GitIdentity
  }): Promise<string> {
    const committer = params.committer ?? params.author
    const args = ['commit-tree', params.tree, ...params.parents.flatMap((parent) => ['-p', parent]), '-F', '-']
    const { stdout } = await this.run(args, {
      input: params.message,
      env: {
        GIT_AUTHOR_NAME: params.author.name,
        GIT_AUTHOR_EMAIL: params.author.email,
        GIT_AUTHOR_DATE: formatGitDate(params.author.date),
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: formatGitDate(committer.date),
      },
    })
    return stdout.toString('utf8').trim()
  }

  async readCommit(sha: string): Promise<GitCommit | undefined> {
    if ((await this.objectType(sha)) !== 'commit') return undefined
    const text = (await this.run(['cat-file', 'commit', sha])).stdout.toString('utf8')
    const split = text.indexOf('\n\n')
    const headers = (split < 0 ? text : text.slice(0, split)).split('\n')
    const message = split < 0 ? '' : text.slice(split + 2)
    let tree = ''
    const parents: string[] = []
    let author: GitIdentity | undefined
    let committer: GitIdentity | undefined
    for (const header of headers) {
      const space = header.indexOf(' ')
      const key = header.slice(0, space)
      const value = header.slice(space + 1)
      if (key === 'tree') tree = value
      else if (key === 'parent') parents.push(value)
      else if (key === 'author') author = parseIdentity(value)
      else if (key === 'committer') committer = parseIdentity(value)
    }
    if (author === undefined || committer === undefined) return undefined
    return { sha, tree, parents, author, committer, message }
  }

  /** Resolves a branch, tag, full ref or sha to a commit sha; undefined when nothing matches. */
  async resolveCommit(ref: string): Promise<string | undefined> {
    return this.resolve(`${ref}^{commit}`)
  }

  /** Resolves any revision expression (`sha:path`, `main:policies`, `HEAD`) to an object sha. */
  async resolve(expression: string): Promise<string | undefined> {
    if (expression.startsWith('-') || expression.includes('\0')) return undefined
    const { stdout, exitCode } = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', expression], {
      acceptExitCodes: [1, 128],
    })
    return exitCode === 0 ? stdout.toString('utf8').trim() : undefined
  }

  /** The sha a full ref (`refs/heads/main`) points at, or undefined. */
  async readRef(fullRef: string): Promise<string | undefined> {
    if (!fullRef.startsWith('refs/')) return undefined
    const { stdout, exitCode } = await this.run(['show-ref', '--verify', '--hash', fullRef], { acceptExitCodes: [1, 128] })
    return exitCode === 0 ? stdout.toString('utf8').trim() : undefined
  }

  /** Refs under a prefix (`refs/heads/`), with their shas, sorted by name. */
  async listRefs(prefix: string): Promise<Array<{ ref: string; sha: string }>> {
    const { stdout } = await this.run(['for-each-ref', '--format=%(objectname) %(refname)', prefix])
    return stdout
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => ({ sha: line.slice(0, 40), ref: line.slice(41) }))
  }

  async isValidRefName(fullRef: string): Promise<boolean> {
    const { exitCode } = await runGit({ gitDir: this.gitDir, args: ['check-ref-format', fullRef], acceptExitCodes: [1] })
    return exitCode === 0
  }

  /**
   * Points `fullRef` at `sha`. With `expected`, the update only happens if the ref still points there
   * (null: only if the ref does not exist yet); returns false when that compare-and-swap lost.
   */
  async updateRef(fullRef: string, sha: string, expected?: string | null): Promise<boolean> {
    const args = ['update-ref', fullRef, sha]
    if (expected !== undefined) args.push(expected ?? zeroSha)
    const { exitCode } = await this.run(args, { acceptExitCodes: [1, 128] })
    return exitCode === 0
  }

  /** Deletes `fullRef`; with `expected`, only if it still points there (false when that compare-and-swap lost). */
  async deleteRef(fullRef: string, expected?: string): Promise<boolean> {
    const { exitCode } = await this.run(['update-ref', '-d', fullRef, ...(expected === undefined ? [] : [expected])], {
      acceptExitCodes: [1, 128],
    })
    return exitCode === 0
  }

  /** True when `ancestor` is reachable from `descendant` (so moving a ref from one to the other is a fast-forward). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const { exitCode } = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], { acceptExitCodes: [1] })
    return exitCode === 0
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const { stdout, exitCode } = await this.run(['merge-base', a, b], { acceptExitCodes: [1] })
    return exitCode === 0 ? stdout.toString('utf8').trim() : undefined
  }

  /** Merges two commits' trees without a work tree (`git merge-tree --write-tree`). */
  async mergeTrees(ours: string, theirs: string): Promise<GitMergeResult> {
    const { stdout, exitCode } = await this.run(['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs], {
      acceptExitCodes: [1],
    })
    const lines = stdout
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
    if (exitCode === 0) return { clean: true, tree: lines[0] ?? '' }
    return { clean: false, conflicts: lines.slice(1) }
  }

  /** The commits reachable from `head` that touched `path` (every one when no path), newest first, at most `limit`: `git log -- <path>`. */
  async listHistory(head: string, path: string | undefined, limit: number): Promise<string[]> {
    const { stdout } = await this.run(['rev-list', `--max-count=${limit}`, head, '--', ...(path === undefined ? [] : [path])])
    return stdout
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
  }

  /** The commits reachable from `head` and not from `base`, oldest first, leaving out merge commits (as `git rebase` does). */
  async listCommitsBetween(base: string, head: string): Promise<string[]> {
    const { stdout } = await this.run(['rev-list', '--reverse', '--topo-order', '--no-merges', `${base}..${head}`])
    return stdout
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
  }

  /**
   * The tree of `onto` with the change `parent` → `commit` applied (what cherry-picking `commit` onto
   * `onto` writes), through a scratch index: this git has no `merge-tree --merge-base`. A change that does
   * not apply is a conflict.
   */
  async applyCommitTree(params: { onto: string; parent: string; commit: string }): Promise<GitMergeResult> {
    const patch = (await this.run(['diff-tree', '-p', '--binary', '--full-index', '--no-renames', params.parent, params.commit])).stdout
    const ontoTree = (await this.run(['rev-parse', `${params.onto}^{tree}`])).stdout.toString('utf8').trim()
    if (patch.length === 0) return { clean: true, tree: ontoTree }
    const scratch = await mkdtemp(join(tmpdir(), 'git-index-'))
    const env = { GIT_INDEX_FILE: join(scratch, 'index') }
    try {
      await this.run(['read-tree', ontoTree], { env })
      const applied = await this.run(['apply', '--cached', '--binary', '-'], { input: patch, env, acceptExitCodes: [1] })
      if (applied.exitCode !== 0) {
        const conflicts = [...applied.stderr.matchAll(/patch failed: ([^:\n]+):/g)].map((match) => match[1] ?? '')
        return { clean: false, conflicts: conflicts.length > 0 ? conflicts : [applied.stderr.trim()] }
      }
      return { clean: true, tree: (await this.run(['write-tree'], { env })).stdout.toString('utf8').trim() }
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
  }

  /** Files changed from `base` to `head` (commits or trees), with line counts and text patches. */
  async diff(base: string, head: string): Promise<GitFileChange[]> {
    const raw = (await this.run(['diff-tree', '-r', '--no-renames', '-z', '--raw', base, head])).stdout.toString('utf8').split('\0')
    const numstat = (await this.run(['diff-tree', '-r', '--no-renames', '-z', '--numstat', base, head])).stdout.toString('utf8').split('\0')
    const counts = new Map<string, { additions: number; deletions: number }>()
    for (const line of numstat) {
      const [additions, deletions, path] = line.split('\t')
      if (path !== undefined) counts.set(path, { additions: Number(additions) || 0, deletions: Number(deletions) || 0 })
    }
    const patches = await this.readPatches(base, head)
    const changes: GitFileChange[] = []
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const meta = raw[i] ?? ''
      const path = raw[i + 1] ?? ''
      if (!meta.startsWith(':')) continue
      const [, , oldSha = '', newSha = '', letter = 'M'] = meta.slice(1).split(' ')
      const status = letter === 'A' ? 'added' : letter === 'D' ? 'removed' : 'modified'
      const count = counts.get(path) ?? { additions: 0, deletions: 0 }
      const patch = patches.get(path)
      changes.push({ path, status, ...count, sha: status === 'removed' ? oldSha : newSha, ...(patch === undefined ? {} : { patch }) })
    }
    return changes.sort((a, b) => a.path.localeCompare(b.path))
  }

  private async readPatches(base: string, head: string): Promise<Map<string, string>> {
    const text = (await this.run(['diff-tree', '-r', '--no-renames', '-p', base, head])).stdout.toString('utf8')
    const patches = new Map<string, string>()
    for (const section of text.split(/^diff --git /m).slice(1)) {
      const path = /^\+\+\+ b\/(.*)$/m.exec(section)?.[1] ?? /^--- a\/(.*)$/m.exec(section)?.[1]
      const hunk = section.indexOf('\n@@')
      if (path !== undefined && hunk >= 0) patches.set(path, section.slice(hunk + 1).replace(/\n$/, ''))
    }
    return patches
  }
}

function formatGitDate(date: Date): string {
  return `${Math.floor(date.getTime() / 1000)} +0000`
}

function parseIdentity(value: string): GitIdentity {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(value)
  if (match === null) return { name: value, email: '', date: new Date(0) }
  return { name: match[1] ?? '', email: match[2] ?? '', date: new Date(Number(match[3]) * 1000) }
}
