/** IAM-style wildcard patterns: `*` matches any run of characters (including none), `?` any one character. */

/** Does `pattern` match the concrete `value`? */
export declare function matchesWildcard(pattern: string, value: string, options?: { ignoreCase?: boolean }): boolean

/**
 * Does `granted` cover `requested`, i.e. is every string that `requested` could match also matched by
 * `granted`? Exact for `*`/`?` patterns (not an approximation): `ec2:*` covers `ec2:Describe*`,
 * `ec2:DescribeInstances` does not.
 */
export declare function coversPattern(granted: string, requested: string, options?: { ignoreCase?: boolean }): boolean
