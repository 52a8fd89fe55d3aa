/**
 * Limits every importer enforces before parsing, so a hostile or broken file ends in an ImportError
 * naming its line instead of a stack overflow, an out-of-memory or a value the store cannot hold.
 *
 * - Size: at most MAX_IMPORT_CHARS characters (the API's import body limit, so the CLI and the API
 *   accept the same files).
 * - Nesting: at most MAX_NESTING_DEPTH levels of GML [ ], SNDlib ( ), XML elements or JSON [ ] / { }.
 *   The deepest real files in ../shared/data are 2 (Topology Zoo GML), 3 (SNDlib, Net2Plan) and
 *   8 levels (GNPy JSON; a GeoJSON FeatureCollection of LineStrings is 6); 64 leaves room for any
 *   real file and keeps the recursive third-party parsers (jsonc-parser) far from the stack limit,
 *   which 5,000 levels overflowed.
 * - Text: no U+0000 (PostgreSQL text cannot hold it) and no lone UTF-16 surrogate (not a Unicode
 *   character: it would be stored as U+FFFD, silently changing a name), neither written directly nor
 *   produced by an escape (JSON \u0000, XML &#0;); and no raw U+FFFD, which is what a UTF-8 decoder
 *   (Node's, for the API body and the CLI's file) puts where the bytes were not UTF-8, e.g. a
 *   Latin-1 "Zürich" read as UTF-8. None of the files in ../shared/data holds one.
 * - Errors: at most MAX_REPORTED_ISSUES issues are listed, then one line counts the rest.
 */

/** Largest file accepted, in UTF-16 characters: the API's import body limit (64 MiB, src/api/routes/network.ts). */
export const MAX_IMPORT_CHARS = 64 * 1024 * 1024;

/** Deepest nesting of lists, elements, arrays or objects accepted in any format (see the module comment). */
export const MAX_NESTING_DEPTH = 64;

/** Issues listed in one ImportError; more are counted in a last issue, so a broken 64 MiB file gives a readable error. */
export const MAX_REPORTED_ISSUES = 100;

/**
 * Largest node count a file may declare without listing the nodes (the DeepRMSA text format's
 * header): 10x the largest network Lightpath benchmarks (10,000 sites), so a forged header cannot
 * make the importer allocate millions of sites.
 */
export const MAX_DECLARED_NODES = 100_000;

/** Where issues of one file go: ImportContext, or a bare IssueList for parsers that return a Network. */
export interface IssueSink {
  readonly file: string;
  error(line: number, field: string, message: string): void;
  throwIfIssues(): void;
}

/** "nesting deeper than 64 levels", the one wording every format uses. */
export function nestingMessage(what: string): string {
  return `nesting deeper than ${MAX_NESTING_DEPTH} levels (${what}); no real file nests this deep`;
}

/** Lone surrogate: with the u flag a paired surrogate is one code point, so only unpaired ones match. */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when the string holds U+0000 or a lone surrogate, which no imported name or id may carry. */
export function hasUnstorableChar(s: string): boolean {
  return s.includes('\u0000') || LONE_SURROGATE.test(s);
}

/** 1-based line of a character offset, counting "\n" (a linear scan; for one-off error lines). */
export function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Checks the raw text of any import: size, NUL characters (each line holding one is reported)
 * and lone surrogates. Records issues on the sink and throws them, so nothing is parsed from a
 * text that fails.
 */
export function checkImportText(sink: IssueSink, text: string): void {
  if (text.length > MAX_IMPORT_CHARS) {
    sink.error(1, 'file', `${text.length} characters is more than the ${MAX_IMPORT_CHARS} (64 MiB) an import accepts`);
    sink.throwIfIssues();
  }
  let nul = text.indexOf('\u0000');
  if (nul >= 0) {
    let line = 1;
    let from = 0;
    let lastReported = 0;
    while (nul >= 0) {
      for (let i = text.indexOf('\n', from); i >= 0 && i < nul; i = text.indexOf('\n', i + 1)) {
        line++;
        from = i + 1;
      }
      if (line !== lastReported) {
        sink.error(line, 'text', 'NUL character (U+0000): not text, and no name or id may hold it');
        lastReported = line;
      }
      nul = text.indexOf('\u0000', nul + 1);
    }
  }
  const lone = LONE_SURROGATE.exec(text);
  if (lone !== null) sink.error(lineAtOffset(text, lone.index), 'text', 'lone UTF-16 surrogate: not a Unicode character (is the file UTF-8?)');
  const replaced = text.indexOf('\ufffd');
  if (replaced >= 0) {
    sink.error(lineAtOffset(text, replaced), 'text', 'U+FFFD replacement character: the file was not valid UTF-8 when read, so names would be altered; save it as UTF-8');
  }
  sink.throwIfIssues();
}
