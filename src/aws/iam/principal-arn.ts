/** Role and user ARNs: pure, so they live in the core (the check reads them too). */
export * from '../../core/records/principal-arn.js'
