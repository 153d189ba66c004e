import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApprovalStore } from '../../../extension/core/approvals';
import { slackSignature } from '../../../extension/core/chatops/slackSignature';
import { WecomCrypto, wecomSignature } from '../../../extension/core/chatops/wecomCrypto';
import { parseFlatXml } from '../../../extension/core/chatops/flatXml';
import { defaultOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { chatRoutes, type ChatRoutesOptions } from '../../../extension/core/remote/chatRoutes';
import { remoteSupervisor, type RemoteSupervisor } from '../../../extension/core/remote/remoteSupervisor';
import { startRemoteServer } from '../../../extension/core/remote/remoteServer';
import { createClassifier } from '../../../extension/core/supervisor/approvalsGlue';
import { Orchestrator } from '../../../extension/core/supervisor/orchestrator';
import { DEFAULT_SUPERVISOR_SETTINGS } from '../../../extension/core/supervisor/settings';
import { storeApprovalsPort } from '../../../extension/core/supervisor/storeApprovals';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { RecordingNotifier, ScriptedFleet } from '../supervisor/scriptedFleet';

export const WECOM = {
  token: 'fleetai-test-token-Q6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'ww5823bf96d3bd56c7',
};
export const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const ENV = {
  WECOM_CALLBACK_TOKEN: WECOM.token,
  WECOM_CALLBACK_AES_KEY: WECOM.aesKey,
  WECOM_CORP_ID: WECOM.corpId,
  SLACK_SIGNING_SECRET: SLACK_SECRET,
};

/** WeCom's side of the callback: the same crypto the server uses, which wecomCrypto.test.ts pins to fixed vectors. */
export const wecom = new WecomCrypto({
  token: WECOM.token,
  encodingAesKey: WECOM.aesKey,
  receiveId: WECOM.corpId,
});

export const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

export const approvalState = (command: string) => ({
  approval: {
    kind: 'command' as const,
    command,
    options: [
      { keys: 'y', label: 'Yes' },
      { keys: '\u001b', label: 'No' },
    ],
  },
});

export interface Harness {
  url: string;
  fleet: ScriptedFleet;
  notifier: RecordingNotifier;
  orchestrator: Orchestrator;
  store: ApprovalStore;
  log: ReturnType<typeof createMemoryLog>;
  /** A pane waiting for an approval, and the approval's id. */
  pendingApproval(command: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The chat routes in the real remote server (startRemoteServer, node:http on 127.0.0.1, the portal token set but
 * never sent: signature routes must not need it), over a real Orchestrator (scripted panes, as in
 * test/unit/supervisor) and a real ApprovalStore in a temp workspace.
 */
export async function startHarness(
  options: {
    env?: Record<string, string | undefined>;
    allowedUsers?: string[];
    wrapRemote?: (remote: RemoteSupervisor) => RemoteSupervisor;
    routeOptions?: Partial<ChatRoutesOptions>;
  } = {},
): Promise<Harness> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'fleetai-chat-'));
  const paths = workspacePaths(workspace);
  const log = createMemoryLog();
  const fleet = new ScriptedFleet();
  fleet.add('p1', { cwd: workspace });
  const notifier = new RecordingNotifier();
  const approvals = storeApprovalsPort(paths, log);
  const config = defaultOrchestratorConfig();
  const orchestrator = new Orchestrator({
    fleet,
    approvals,
    notifier,
    store: { load: () => Promise.resolve(undefined), save: () => Promise.resolve() },
    log,
    settings: { ...DEFAULT_SUPERVISOR_SETTINGS, sessionCooldownMs: 0, tickMs: 60_000, heartbeatMs: 60_000 },
    classify: createClassifier(config, workspace),
    workspaceRoot: workspace,
  });
  await orchestrator.start();
  const store = ApprovalStore.forWorkspace(paths);
  const real = remoteSupervisor({ orchestrator, panes: () => fleet.list(), store, log });
  const routes = chatRoutes({
    portal: { ...config.portal, allowed_users: options.allowedUsers ?? [] },
    env: () => options.env ?? ENV,
    remote: options.wrapRemote ? options.wrapRemote(real) : real,
    log,
    ...options.routeOptions,
  });
  const server = await startRemoteServer({
    host: '127.0.0.1',
    port: 0,
    origin: 'chat test',
    token: 'portal-token-the-chat-routes-never-need',
    routes,
    log,
  });
  return {
    url: server.url,
    fleet,
    notifier,
    orchestrator,
    store,
    log,
    pendingApproval: async (command) => {
      fleet.set('p1', 'awaiting_approval', approvalState(command));
      await until(() => notifier.sent.some((n) => n.approvalId), 'the approval request');
      return notifier.sent.find((n) => n.approvalId)!.approvalId!;
    },
    close: async () => {
      await server.close();
      await orchestrator.dispose();
      approvals.dispose();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}

// --- WeCom's requests, built as its servers build them ---------------------------------------------------------

export interface WecomPost {
  query: Record<string, string>;
  body: string;
}

/** An encrypted text message from `from`, signed over (token, timestamp, nonce, Encrypt). */
export function wecomPost(
  content: string,
  options: {
    from?: string;
    crypto?: WecomCrypto;
    token?: string;
    timestamp?: number;
    nonce?: string;
    msgType?: string;
    msgId?: string;
  } = {},
): WecomPost {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(Math.floor(Math.random() * 1e9));
  const message =
    `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName>` +
    `<FromUserName><![CDATA[${options.from ?? 'zhangsan'}]]></FromUserName>` +
    `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[${options.msgType ?? 'text'}]]></MsgType>` +
    `<Content><![CDATA[${content}]]></Content>` +
    `<MsgId>${options.msgId ?? String(Math.floor(Math.random() * 1e15))}</MsgId><AgentID>1000002</AgentID></xml>`;
  const encrypt = (options.crypto ?? wecom).encrypt(message);
  const signature = wecomSignature(options.token ?? WECOM.token, timestamp, nonce, encrypt);
  return {
    query: { msg_signature: signature, timestamp, nonce },
    body: `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
  };
}

export async function send(url: string, post: WecomPost): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/wecom/callback?${new URLSearchParams(post.query).toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: post.body,
  });
  return { status: response.status, body: await response.text() };
}

/** The passive reply's text, after checking its signature as WeCom does. */
export function openReply(body: string): string {
  const envelope = parseFlatXml(body, 'reply');
  const expected = wecomSignature(
    WECOM.token,
    envelope.TimeStamp ?? '',
    envelope.Nonce ?? '',
    envelope.Encrypt ?? '',
  );
  if (envelope.MsgSignature !== expected) throw new Error('the passive reply is not signed with the token');
  const reply = parseFlatXml(wecom.decrypt(envelope.Encrypt ?? ''), 'decrypted reply');
  if (reply.ToUserName === undefined || reply.MsgType !== 'text')
    throw new Error(`not a text reply: ${body}`);
  return reply.Content ?? '';
}

// --- Slack's requests -------------------------------------------------------------------------------------------

export function slackForm(command: string, text: string, user = 'U2CERLKJA'): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: 'C2147483705',
    channel_name: 'test',
    user_id: user,
    user_name: 'roadrunner',
    command,
    text,
    response_url: 'https://hooks.slack.com/commands/1234/5678',
    trigger_id: `${Math.random()}`,
  }).toString();
}

export async function slack(
  url: string,
  body: string,
  options: { secret?: string; timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: string }> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const response = await fetch(`${url}/slack/commands`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature':
        options.signature ?? slackSignature(options.secret ?? SLACK_SECRET, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}
