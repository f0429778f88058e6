import { CST, Lexer } from 'yaml';

/** How deeply a request body's arrays and objects may nest; a sweep spec needs about 6. */
export const MAX_NESTING_DEPTH = 64;

/** Where a text first nests deeper than the limit (1-based line and column). */
export interface NestingExcess {
  line: number;
  column: number;
  message: string;
}

const excess = (text: string, index: number, maxDepth: number): NestingExcess => {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = index - lineStart + 1;
  return { line, column, message: `nested deeper than ${maxDepth} levels at line ${line}, column ${column}` };
};

/**
 * Scans JSON text for `[` and `{` outside strings, without parsing it; stops at the first one past
 * `maxDepth`. Exact for valid JSON, so anything JSON.parse accepts afterwards is at most that deep.
 */
export function findJsonNestingExcess(text: string, maxDepth = MAX_NESTING_DEPTH): NestingExcess | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return excess(text, i, maxDepth);
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return undefined;
}

const FLOW_START = new Set(['flow-seq-start', 'flow-map-start']);
const FLOW_END = new Set(['flow-seq-end', 'flow-map-end']);
const TRIVIA = new Set(['space', 'newline', 'comment', 'byte-order-mark', 'doc-mode']);
const DOCUMENT_BOUNDARY = new Set(['doc-start', 'doc-end', 'directive-line']);

/**
 * An upper bound on how deeply YAML text nests, from yaml's lexer (linear and not recursive; the
 * composer that builds the document is recursive and overflows the stack on deep input).
 * Flow collections (`[`, `{`) are counted exactly: quoted scalars are single tokens. A block
 * collection lives at a column: a mapping where a key is followed by `:` (or at a `?`), a sequence
 * at a `-`. A nested block collection starts right of its parent, except a sequence under a mapping
 * key, which may share the key's column; so the block depth at a line is at most the number of open
 * columns, plus one for each that holds both a mapping and a sequence. Stops at the first token past
 * `maxDepth`.
 */
export function findYamlNestingExcess(text: string, maxDepth = MAX_NESTING_DEPTH): NestingExcess | undefined {
  let flowDepth = 0;
  /** Open block collections by column, left to right: a mapping, a sequence, or both. */
  const open: { column: number; map: boolean; seq: boolean }[] = [];
  let blockDepth = 0;
  let offset = 0;
  let lineOffset = 0;
  let atLineStart = true;
  /** Column of the node that an implicit key would start at (first node after the line start, `-` or `?`). */
  let keyColumn: number | undefined;
  const openAt = (column: number, kind: 'map' | 'seq') => {
    let top = open[open.length - 1];
    if (!top || top.column < column) {
      top = { column, map: false, seq: false };
      open.push(top);
    }
    if (!top[kind]) {
      top[kind] = true;
      blockDepth++;
    }
  };
  for (const token of new Lexer().lex(text)) {
    // The lexer's control tokens mark what follows; they are not part of the text.
    if (token === CST.DOCUMENT || token === CST.SCALAR || token === CST.FLOW_END) continue;
    const type = CST.tokenType(token);
    const start = offset;
    offset += token.length;
    if (type === 'newline') {
      lineOffset = offset;
      atLineStart = true;
      keyColumn = undefined;
      continue;
    }
    const inFlow = flowDepth > 0;
    if (type && DOCUMENT_BOUNDARY.has(type)) {
      open.length = 0;
      blockDepth = 0;
      flowDepth = 0;
    } else if (type && FLOW_START.has(type)) {
      flowDepth++;
    } else if (type && FLOW_END.has(type)) {
      flowDepth = Math.max(0, flowDepth - 1);
    }
    if (!inFlow && !(type && TRIVIA.has(type))) {
      const column = start + (token.length - token.trimStart().length) - lineOffset;
      if (atLineStart) {
        for (let top = open.at(-1); top && top.column > column; top = open.at(-1)) {
          open.pop();
          blockDepth -= Number(top.map) + Number(top.seq);
        }
        atLineStart = false;
      }
      if (type === 'seq-item-ind') {
        openAt(column, 'seq');
        keyColumn = undefined;
      } else if (type === 'explicit-key-ind') {
        openAt(column, 'map');
        keyColumn = undefined;
      } else if (type === 'map-value-ind') {
        if (keyColumn !== undefined && Number.isFinite(keyColumn)) openAt(keyColumn, 'map');
        keyColumn = Number.POSITIVE_INFINITY; // what follows on this line is a value, not a key
      } else if (keyColumn === undefined) {
        keyColumn = column;
      }
    }
    // Multi-line tokens (quoted, plain and block scalars) move the line start.
    const lastNewline = token.lastIndexOf('\n');
    if (lastNewline !== -1) lineOffset = start + lastNewline + 1;
    if (blockDepth + flowDepth > maxDepth) return excess(text, start, maxDepth);
  }
  return undefined;
}
