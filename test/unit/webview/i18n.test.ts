import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isChinese,
  pickLanguage,
  translate,
  translator,
  zhCN,
  type MessageKey,
} from '../../../webview/shared/i18n';
import {
  approvalKindText,
  heartbeatText,
  paneStateText,
  phaseText,
  riskText,
} from '../../../webview/shared/words';
import { repoRoot } from '../helpers';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.tsx?$/.test(name) ? [file] : [];
  });
}

const files = sources(path.join(repoRoot, 'webview'));
const code = files.map((f) => readFileSync(f, 'utf8')).join('\n');
const table: Record<string, string> = zhCN;
const placeholders = (s: string) => [...s.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort();

describe('webview strings', () => {
  it('scans the webview sources', () => {
    expect(files.some((f) => f.endsWith(path.join('dashboard', 'App.tsx')))).toBe(true);
    expect(files.some((f) => f.endsWith(path.join('approvals', 'App.tsx')))).toBe(true);
  });

  it('every t("…") in the sources has a Simplified Chinese entry', () => {
    const used = [...code.matchAll(/\bt\(\s*(['"])((?:\\.|(?!\1).)*)\1/g)].map((m) => m[2] ?? '');
    expect(used.length).toBeGreaterThan(50);
    const missing = used.filter((key) => !Object.hasOwn(table, key));
    expect(missing).toEqual([]);
  });

  it('every enum word the views show (states, phases, risks, kinds, heartbeat) is translated', () => {
    for (const words of [paneStateText, phaseText, riskText, approvalKindText, heartbeatText]) {
      for (const key of Object.values(words)) expect(table[key], key).toBeTruthy();
    }
    expect(translator('zh-cn')(paneStateText.awaiting_approval)).toBe('等待审批');
    expect(translator('en')(heartbeatText.idle)).toBe('idle');
    expect(translator('zh-CN')(heartbeatText.idle)).toBe('空闲');
  });

  it('translations are not empty and keep their placeholders', () => {
    for (const [key, zh] of Object.entries(table)) {
      expect(zh.trim(), key).not.toBe('');
      expect(placeholders(zh), key).toEqual(placeholders(key));
    }
  });

  it('has no entries that nothing uses', () => {
    const elsewhere = files
      .filter((f) => !f.endsWith(path.join('shared', 'i18n.ts')))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = Object.keys(table).filter(
      (key) => !elsewhere.includes(`'${key}'`) && !elsewhere.includes(`"${key}"`),
    );
    expect(unused).toEqual([]);
  });

  it('fills placeholders and picks the language', () => {
    const t = translator('zh-cn');
    expect(t('{0} failures in a row', 3)).toBe('连续失败 3 次');
    expect(translator('en')('{0} failures in a row', 3)).toBe('3 failures in a row');
    expect(translator('de')('Approve')).toBe('Approve');
    expect(isChinese('zh-Hans')).toBe(true);
    expect(isChinese('en-US')).toBe(false);
    expect(pickLanguage('zh-cn', 'en-US')).toBe('zh-cn');
    expect(pickLanguage(undefined, 'zh-CN')).toBe('zh-CN');
    expect(pickLanguage(undefined, undefined)).toBe('en');
    expect(translator('zh')).toBe(t);
    const key: MessageKey = 'Retry';
    expect(t(key)).toBe('重试');
    // The typed function refuses text without an entry at compile time (tsc checks this file), and shows it
    // in English at run time.
    // @ts-expect-error 'No such text' is not a key of the table.
    expect(translate('zh-cn')('No such text')).toBe('No such text');
  });
});
