/** The IAM documents and names this app writes: pure, so they live in the core (the check sizes them too). */
export * from '../core/records/iam-policy-document.js'
