/** Import errors that name the file, line and field of every problem, so a user can fix the file. */

/** One problem in an input file; line is 1-based (the best available: the line of the item at fault). */
export interface ImportIssue {
  file: string;
  line: number;
  field: string;
  message: string;
}

/** Formats an issue as "file:line: field: problem". */
export function formatImportIssue(i: ImportIssue): string {
  return `${i.file}:${i.line}: ${i.field}: ${i.message}`;
}

/** Thrown when a file cannot be imported; carries every issue found, not just the first. */
export class ImportError extends Error {
  readonly issues: ImportIssue[];

  constructor(issues: ImportIssue[]) {
    super(issues.map(formatImportIssue).join('\n'));
    this.name = 'ImportError';
    this.issues = issues;
  }
}
