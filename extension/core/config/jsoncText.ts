import { printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';

/**
 * Helpers for the JSON-with-comments files FleetAI reads and edits in place (orchestrator.json, mcp.servers.json,
 * task drafts, plans): their problems name a line and column, in words a person reads.
 */

/** `line:column` (1-based) of an offset in the text. */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
}

/** jsonc-parser's error code in words: "PropertyNameExpected" -> "property name expected". */
export function describeParseError(error: ParseError): string {
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** The value of a parse tree node, as JSON.parse would make it (a repeated key: the last one wins). */
export function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        // defineProperty: a "__proto__" key is then an ordinary (and unknown) key, as with JSON.parse.
        if (key && value)
          Object.defineProperty(out, String(key.value), {
            value: nodeValue(value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value as unknown;
  }
}
