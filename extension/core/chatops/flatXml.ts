import { ErrorCode, FleetError } from '../errors';

/**
 * WeCom's callback bodies and messages are one `<xml>` element holding flat fields (`<Encrypt><![CDATA[..]]>`,
 * `<CreateTime>123</CreateTime>`). This reads exactly that shape and nothing more, so no XML library (with its
 * entity expansion and DTD handling) sees text from the network. A nested element keeps its raw inner text.
 */
export function parseFlatXml(text: string, what: string): Record<string, string> {
  function fail(why: string): never {
    throw new FleetError(ErrorCode.ChatDecrypt, `${what} is not WeCom XML: ${why}`, { what });
  }
  let pos = 0;
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++;
  };
  skipSpace();
  if (text.startsWith('<?xml', pos)) {
    const end = text.indexOf('?>', pos);
    if (end < 0) fail('unterminated XML declaration');
    pos = end + 2;
    skipSpace();
  }
  if (!text.startsWith('<xml>', pos)) fail('it does not start with <xml>');
  pos += '<xml>'.length;
  const fields: Record<string, string> = {};
  for (;;) {
    skipSpace();
    if (text.startsWith('</xml>', pos)) {
      pos += '</xml>'.length;
      break;
    }
    const open = /^<([A-Za-z_][\w.-]*)\s*(\/?)>/.exec(text.slice(pos, pos + 200));
    if (!open) fail(`expected an element at offset ${pos}`);
    const [tag, name = '', selfClosing] = open;
    pos += tag.length;
    if (selfClosing) {
      fields[name] = '';
      continue;
    }
    const close = `</${name}>`;
    let value = '';
    while (!text.startsWith(close, pos)) {
      if (pos >= text.length) fail(`<${name}> is not closed`);
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) fail(`unterminated CDATA in <${name}>`);
        value += text.slice(pos + '<![CDATA['.length, end);
        pos = end + 3;
      } else if (text[pos] === '<') {
        // A nested element (some WeCom events have them): keep its raw text, FleetAI reads none of them.
        const end = text.indexOf(close, pos);
        if (end < 0) fail(`<${name}> is not closed`);
        value += text.slice(pos, end);
        pos = end;
      } else {
        const end = text.indexOf('<', pos);
        if (end < 0) fail(`<${name}> is not closed`);
        value += decodeEntities(text.slice(pos, end));
        pos = end;
      }
    }
    pos += close.length;
    fields[name] = value;
  }
  skipSpace();
  if (pos !== text.length) fail('text after </xml>');
  return fields;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]+);/g, (whole, entity: string) => {
    if (!entity.startsWith('#')) return NAMED[entity] ?? whole;
    const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** `<![CDATA[text]]>`, splitting any `]]>` inside the text so it cannot end the section early. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
