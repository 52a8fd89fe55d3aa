/**
 * A quote's request and options are stored as `json`, not `jsonb`. They are written once and only ever
 * read whole (by id, or a tenant's list): nothing queries inside them, so parsing them into jsonb on
 * every quote bought nothing but the cost of the parse (a 400G quote's three options are ~10 KB).
 */
export const quotesJson = `
ALTER TABLE quotes ALTER COLUMN request TYPE json USING request::json, ALTER COLUMN options TYPE json USING options::json;
`;
