/** IAM's inline policy quotas: pure, so they live in the core (the check applies them too). */
export * from '../../core/records/inline-policy-size.js'
