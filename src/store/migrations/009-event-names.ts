/**
 * Event types name the state they report: an order entering `inProgress` is `order.inProgress`, as
 * `order.completed` reports `completed` (it was `order.in-progress`). A segment may therefore be
 * camelCase; stored events and webhook subscriptions are renamed, so a replay or a filter sees one
 * spelling.
 */
export const eventNames = `
ALTER TABLE events DROP CONSTRAINT events_type_check;
UPDATE events SET type = 'order.inProgress' WHERE type = 'order.in-progress';
ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type ~ '^[a-z][A-Za-z0-9_-]*([.][a-z][A-Za-z0-9_-]*)+$' AND length(type) <= 128);
UPDATE webhooks SET types = array_replace(types, 'order.in-progress', 'order.inProgress') WHERE 'order.in-progress' = ANY (types);
`;
