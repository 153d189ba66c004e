import { randomBytes } from 'node:crypto';

export type PortalLanguage = 'en' | 'zh-cn';

/** The page's words. Both languages ship in the page: the toggle switches without a round trip. */
const WORDS = {
  en: {
    title: 'FleetAI approvals',
    pending: 'Pending approvals',
    blockers: 'Blockers',
    panes: 'Panes',
    send: 'Send an instruction',
    none: 'Nothing here.',
    approve: 'Approve',
    deny: 'Deny',
    reason: 'Reason (optional)',
    screen: 'Screen when it asked',
    waiting: 'waiting',
    pane: 'Pane',
    branch: 'branch',
    state: 'state',
    phase: 'phase',
    task: 'task',
    queued: 'queued',
    text: 'What the agent should do',
    sendButton: 'Send',
    sent: 'Queued for {pane} (risk {risk}).',
    sentWaits: 'Queued for {pane}, but it waits for an approval (risk {risk}): see Pending approvals.',
    approved: 'Approved.',
    denied: 'Denied.',
    updated: 'Updated {time}',
    heartbeat: 'supervisor heartbeat {age} ago',
    dryRun: 'DRY RUN: nothing is typed into the agents',
    offline: 'Cannot reach FleetAI; retrying…',
    expired: 'The portal token is no longer valid: open the link that `fleet portal` prints again.',
    emptyText: 'Write the instruction first.',
    noPanes: 'No panes.',
    language: '中文',
    risk_low: 'low',
    risk_medium: 'medium',
    risk_high: 'high',
    risk_critical: 'critical',
    unauthorizedTitle: 'Not signed in',
    unauthorized:
      'The portal token is missing or wrong. Open the link that `fleet portal` (or “FleetAI: Open Approval Portal” in VS Code) shows.',
  },
  'zh-cn': {
    title: 'FleetAI 审批',
    pending: '等待确认',
    blockers: '阻塞任务',
    panes: '窗格',
    send: '发送指令',
    none: '暂无。',
    approve: '批准',
    deny: '拒绝',
    reason: '理由（可选）',
    screen: '请求时的屏幕',
    waiting: '已等待',
    pane: '窗格',
    branch: '分支',
    state: '状态',
    phase: '阶段',
    task: '任务',
    queued: '排队',
    text: '要代理做什么',
    sendButton: '发送',
    sent: '已为 {pane} 排队（{risk}）。',
    sentWaits: '已为 {pane} 排队，但需要先审批（{risk}）：见“等待确认”。',
    approved: '已批准。',
    denied: '已拒绝。',
    updated: '更新于 {time}',
    heartbeat: '监督心跳 {age} 前',
    dryRun: '演练模式：不会向代理输入任何内容',
    offline: '无法连接 FleetAI，正在重试…',
    expired: '门户令牌已失效：请重新打开 `fleet portal` 输出的链接。',
    emptyText: '请先填写指令。',
    noPanes: '没有窗格。',
    language: 'English',
    risk_low: '低风险',
    risk_medium: '中风险',
    risk_high: '高风险',
    risk_critical: '严重风险',
    unauthorizedTitle: '未登录',
    unauthorized:
      '门户令牌缺失或错误。请打开 `fleet portal`（或 VS Code 中的“FleetAI: 打开审批门户”）给出的链接。',
  },
} as const;

/** The language a browser asks for: Simplified Chinese when it prefers zh (but not zh-TW/HK), else English. */
export function pickLanguage(acceptLanguage: string | undefined): PortalLanguage {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((l) => l.tag && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag === 'zh-cn' || tag === 'zh-sg' || tag === 'zh-hans' || tag.startsWith('zh-hans-'))
      return 'zh-cn';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

const CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--accent:#0b63ce;
--ok:#1a7f37;--bad:#c62828;--warn:#b26b00}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1b2027;--fg:#e8ecf1;--muted:#9aa5b1;--line:#2c333c;--accent:#4c9aff}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei",sans-serif;
background:var(--bg);color:var(--fg)}
header{position:sticky;top:0;z-index:1;background:var(--card);border-bottom:1px solid var(--line);padding:10px 14px;
display:flex;align-items:center;gap:10px}
header h1{font-size:18px;margin:0;flex:1}
#status{font-size:13px;color:var(--muted);padding:6px 14px}
#status.offline{color:var(--bad)}
#dry{display:none;background:var(--warn);color:#fff;padding:6px 14px;font-weight:600;font-size:14px}
main{padding:0 10px 40px;max-width:760px;margin:0 auto}
h2{font-size:17px;margin:18px 4px 8px;display:flex;align-items:center;gap:8px}
.count{background:var(--accent);color:#fff;border-radius:10px;font-size:13px;padding:0 8px;min-width:22px;text-align:center}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px;margin:0 0 10px}
.row{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center;font-size:14px;color:var(--muted)}
.row b{color:var(--fg)}
.badge{display:inline-block;border-radius:6px;padding:1px 8px;font-size:13px;font-weight:700;color:#fff;text-transform:uppercase}
.risk-low{background:var(--ok)}.risk-medium{background:var(--warn)}.risk-high{background:#d9480f}.risk-critical{background:var(--bad)}
code.cmd{display:block;margin:8px 0;padding:8px;border-radius:8px;background:var(--bg);border:1px solid var(--line);
font:14px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
ul.reasons{margin:4px 0 8px;padding-left:20px;font-size:14px}
details{margin:6px 0}summary{cursor:pointer;min-height:32px;padding:4px 0;color:var(--accent)}
pre{margin:4px 0;padding:8px;max-height:240px;overflow:auto;background:#0d1117;color:#d8dee6;border-radius:8px;font-size:12px;
white-space:pre-wrap;word-break:break-all}
input[type=text],textarea,select{width:100%;font:inherit;font-size:16px;padding:10px;border-radius:8px;border:1px solid var(--line);
background:var(--card);color:var(--fg)}
textarea{min-height:96px;resize:vertical}
.buttons{display:flex;gap:10px;margin-top:8px}
button{font:inherit;font-weight:600;min-height:48px;border-radius:10px;border:0;padding:0 18px;cursor:pointer}
.buttons button{flex:1}
button.approve{background:var(--ok);color:#fff}button.deny{background:var(--bad);color:#fff}
button.primary{background:var(--accent);color:#fff;width:100%;margin-top:8px}
button.lang{min-height:40px;background:transparent;color:var(--accent);border:1px solid var(--line);padding:0 12px}
button:disabled{opacity:.5}
.msg{margin-top:8px;font-size:14px}.msg.ok{color:var(--ok)}.msg.err{color:var(--bad)}
.empty{color:var(--muted);font-size:14px;margin:0 4px 10px}
label{display:block;font-size:14px;color:var(--muted);margin:8px 0 4px}
`;

/** The client: renders /api/status with DOM text only (agent output is never parsed as HTML). */
const SCRIPT = `
(() => {
  const WORDS = JSON.parse(document.getElementById('words').textContent);
  let lang = localStorage.getItem('fleetai.portal.lang') || document.documentElement.dataset.lang;
  if (!WORDS[lang]) lang = 'en';
  let last = null;
  const $ = (id) => document.getElementById(id);
  const w = (key, vars) => (WORDS[lang][key] || key).replace(/\\{(\\w+)\\}/g, (_, k) => (vars && vars[k] !== undefined ? vars[k] : ''));
  const el = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
    return e;
  };
  const ago = (iso) => {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  };
  const api = async (path, body) => {
    const res = await fetch(path, body === undefined ? { credentials: 'same-origin' } : {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    if (res.status === 401) { expired(); throw new Error(w('expired')); }
    const data = await res.json().catch(() => ({}));
    if (!res.ok || data.ok === false) throw new Error((data.error && data.error.message) || ('HTTP ' + res.status));
    return data;
  };
  let isExpired = false;
  const expired = () => { isExpired = true; $('status').textContent = w('expired'); $('status').className = 'offline'; };
  const labels = () => {
    document.documentElement.lang = lang === 'zh-cn' ? 'zh-CN' : 'en';
    document.title = w('title');
    for (const e of document.querySelectorAll('[data-w]')) e.textContent = w(e.dataset.w);
    for (const e of document.querySelectorAll('[data-ph]')) e.placeholder = w(e.dataset.ph);
  };
  const message = (box, ok, text) => { box.className = 'msg ' + (ok ? 'ok' : 'err'); box.textContent = text; };
  const approvalCard = (a) => {
    const reason = el('input', { type: 'text', placeholder: w('reason'), 'aria-label': w('reason'), maxlength: '500' });
    const msg = el('div', { class: 'msg', role: 'status' });
    const act = (decision) => async () => {
      for (const b of card.querySelectorAll('button')) b.disabled = true;
      try {
        await api('api/approvals/' + encodeURIComponent(a.id) + '/' + decision,
          decision === 'deny' && reason.value.trim() ? { reason: reason.value.trim() } : {});
        message(msg, true, w(decision === 'approve' ? 'approved' : 'denied'));
        setTimeout(refresh, 800);
      } catch (e) {
        message(msg, false, e.message);
        for (const b of card.querySelectorAll('button')) b.disabled = false;
      }
    };
    const approve = el('button', { class: 'approve', type: 'button', 'data-id': a.id, text: w('approve') });
    const deny = el('button', { class: 'deny', type: 'button', text: w('deny') });
    approve.addEventListener('click', act('approve'));
    deny.addEventListener('click', act('deny'));
    const card = el('div', { class: 'card approval', 'data-id': a.id },
      el('div', { class: 'row' },
        el('span', { class: 'badge risk-' + a.risk, text: WORDS[lang]['risk_' + a.risk] || a.risk }),
        el('b', { text: a.pane }),
        a.branch ? el('span', { text: w('branch') + ' ' + a.branch }) : null,
        el('span', { text: a.agent }),
        el('span', { 'data-since': a.requestedAt, text: w('waiting') + ' ' + ago(a.requestedAt) })),
      el('code', { class: 'cmd', text: a.command || a.reason || a.kind }),
      a.reasons.length ? el('ul', { class: 'reasons' }, ...a.reasons.map((r) => el('li', { text: r }))) : null,
      a.excerpt ? el('details', {}, el('summary', { text: w('screen') }), el('pre', { text: a.excerpt })) : null,
      reason,
      el('div', { class: 'buttons' }, approve, deny),
      msg);
    return card;
  };
  const section = (id, items, render) => {
    const box = $(id);
    const count = $(id + '-count');
    if (count) count.textContent = String(items.length);
    // An approval card being answered keeps its reason text: only cards that changed are replaced.
    const keep = new Map([...box.children].map((c) => [c.dataset.key, c]));
    box.replaceChildren(...(items.length ? items.map((item) => {
      const key = JSON.stringify(item, (k, v) => (k === 'generatedAt' ? undefined : v));
      const old = keep.get(key);
      if (old && lang === old.dataset.lang) return old;
      const card = render(item);
      card.dataset.key = key;
      card.dataset.lang = lang;
      return card;
    }) : [el('p', { class: 'empty', text: w('none') })]));
  };
  const render = (s) => {
    last = s;
    labels();
    let status = w('updated', { time: new Date(s.generatedAt).toLocaleTimeString() });
    if (s.heartbeatAt) status += ' · ' + w('heartbeat', { age: ago(s.heartbeatAt) });
    $('status').textContent = status;
    $('status').className = '';
    $('dry').style.display = s.dryRun ? 'block' : 'none';
    section('approvals', s.approvals, approvalCard);
    section('blockers', s.blockers, (b) => el('div', { class: 'card' },
      el('div', { class: 'row' }, el('span', { class: 'badge risk-high', text: b.kind }), el('b', { text: b.pane }),
        b.branch ? el('span', { text: w('branch') + ' ' + b.branch }) : null,
        el('span', { 'data-since': b.since, text: w('waiting') + ' ' + ago(b.since) })),
      el('div', { text: b.reason })));
    section('panes', s.panes, (p) => el('div', { class: 'card' },
      el('div', { class: 'row' }, el('b', { text: p.id }), el('span', { text: p.agent }),
        p.branch ? el('span', { text: w('branch') + ' ' + p.branch }) : null),
      el('div', { class: 'row' },
        el('span', { text: w('state') + ': ' + p.state + (p.reason ? ' (' + p.reason + ')' : '') }),
        p.phase ? el('span', { text: w('phase') + ': ' + p.phase }) : null,
        el('span', { text: w('queued') + ': ' + p.queued })),
      p.task ? el('div', { class: 'row' }, el('span', { text: w('task') + ': ' + p.task })) : null));
    // Cards kept from the last refresh still show how long they have been waiting.
    for (const e of document.querySelectorAll('[data-since]')) e.textContent = w('waiting') + ' ' + ago(e.dataset.since);
    const select = $('send-pane');
    const chosen = select.value;
    select.replaceChildren(...s.panes.map((p) => el('option', { value: p.id, text: p.id + ' · ' + p.agent })));
    if (s.panes.some((p) => p.id === chosen)) select.value = chosen;
    $('send-button').disabled = s.panes.length === 0;
  };
  const refresh = async () => {
    if (isExpired) return;
    try { render(await api('api/status')); }
    catch (e) { if (!isExpired) { $('status').textContent = w('offline'); $('status').className = 'offline'; } }
  };
  $('lang').addEventListener('click', () => {
    lang = lang === 'en' ? 'zh-cn' : 'en';
    localStorage.setItem('fleetai.portal.lang', lang);
    labels();
    if (last) render(last);
  });
  $('send-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const msg = $('send-msg');
    const pane = $('send-pane').value;
    const text = $('send-text').value.trim();
    if (!text) { message(msg, false, w('emptyText')); return; }
    $('send-button').disabled = true;
    try {
      const r = await api('api/panes/' + encodeURIComponent(pane) + '/send', { text });
      const risk = WORDS[lang]['risk_' + r.risk] || r.risk;
      message(msg, true, w(r.requires_confirmation ? 'sentWaits' : 'sent', { pane, risk }));
      $('send-text').value = '';
      refresh();
    } catch (e) { message(msg, false, e.message); }
    finally { $('send-button').disabled = false; }
  });
  labels();
  refresh();
  setInterval(refresh, 4000);
})();
`;

/** The portal's page: one self-contained document (no external resource), its script allowed by a nonce. */
export function portalPage(language: PortalLanguage): { html: string; csp: string } {
  const nonce = randomBytes(16).toString('base64');
  const t = WORDS[language];
  // `<` escaped so no word can close the script element that carries them.
  const words = JSON.stringify(WORDS).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="${language === 'zh-cn' ? 'zh-CN' : 'en'}" data-lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(t.title)}</title>
<style nonce="${nonce}">${CSS}</style>
</head>
<body>
<header><h1 data-w="title">${escapeHtml(t.title)}</h1><button id="lang" class="lang" type="button" data-w="language">${escapeHtml(t.language)}</button></header>
<div id="dry" data-w="dryRun">${escapeHtml(t.dryRun)}</div>
<div id="status" role="status"></div>
<main>
<h2><span data-w="pending">${escapeHtml(t.pending)}</span><span class="count" id="approvals-count">0</span></h2>
<div id="approvals"></div>
<h2><span data-w="blockers">${escapeHtml(t.blockers)}</span><span class="count" id="blockers-count">0</span></h2>
<div id="blockers"></div>
<h2 data-w="send">${escapeHtml(t.send)}</h2>
<form id="send-form" class="card">
<label for="send-pane" data-w="pane">${escapeHtml(t.pane)}</label>
<select id="send-pane"></select>
<label for="send-text" data-w="text">${escapeHtml(t.text)}</label>
<textarea id="send-text" maxlength="8000"></textarea>
<button id="send-button" class="primary" type="submit" data-w="sendButton">${escapeHtml(t.sendButton)}</button>
<div id="send-msg" class="msg" role="status"></div>
</form>
<h2><span data-w="panes">${escapeHtml(t.panes)}</span><span class="count" id="panes-count">0</span></h2>
<div id="panes"></div>
</main>
<script id="words" type="application/json">${words}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

/** What a browser sees without the token, or with a wrong one. */
export function unauthorizedPage(acceptLanguage: string | undefined): string {
  const t = WORDS[pickLanguage(acceptLanguage)];
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.unauthorizedTitle)}</title>
<style>body{font:17px/1.5 -apple-system,"Segoe UI",Roboto,"PingFang SC",sans-serif;margin:0;padding:32px 20px;max-width:560px}
h1{font-size:22px;color:#c62828}</style></head>
<body><h1 id="unauthorized">401 · ${escapeHtml(t.unauthorizedTitle)}</h1><p>${escapeHtml(t.unauthorized)}</p></body></html>
`;
}

/** The CSP of the 401 page: styles only, no script at all. */
export const UNAUTHORIZED_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
