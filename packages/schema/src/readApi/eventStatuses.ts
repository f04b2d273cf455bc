// Plain data, without TypeBox: a page that needs only the list (the inspector's status filter)
// bundles these few bytes, not the schema builder.

/** Every status a stored event reaches, in the order an event goes through them. */
export const eventStatuses = ['received', 'processed', 'failed', 'quarantined', 'unhandled'] as const;
