import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { pickLanguage, portalPage } from '../../../extension/core/remote/portalPage';

describe('portal page', () => {
  it('answers in Simplified Chinese when the browser prefers it, else English', () => {
    expect(pickLanguage(undefined)).toBe('en');
    expect(pickLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-cn');
    expect(pickLanguage('en-US,en;q=0.9,zh-CN;q=0.8')).toBe('en');
    expect(pickLanguage('en;q=0.5,zh;q=0.9')).toBe('zh-cn');
    expect(pickLanguage('zh-TW')).toBe('en');
    expect(pickLanguage('fr-FR')).toBe('en');
  });

  it('is one document whose inline script and style carry the CSP nonce, and whose script parses', () => {
    const { html, csp } = portalPage('en');
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
    expect(nonce.length).toBeGreaterThan(10);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    const code = scripts.filter((m) => !(m[1] ?? '').includes('application/json'));
    expect(code).toHaveLength(1);
    expect(code[0]?.[1]).toContain(`nonce="${nonce}"`);
    // A syntax error in the client would leave an empty page on the phone.
    expect(() => new Script(code[0]?.[2] ?? '')).not.toThrow();
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//);
    // A second page gets another nonce.
    expect(portalPage('en').csp).not.toBe(csp);
    expect(portalPage('zh-cn').html).toContain('阻塞任务');
  });
});
