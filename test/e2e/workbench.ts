import type { Frame, Locator, Page } from 'playwright-core';

// Driving VS Code's workbench (code-server) from chromium: the palette, the notification centre, the webviews.
// Selectors as measured in ../shared/FIELD-NOTES.md.

/** Runs a palette command by its full title, as a person types it after F1. */
export async function runPaletteCommand(page: Page, title: string): Promise<void> {
  await startPaletteCommand(page, title);
  // The palette fades out; a screenshot taken meanwhile shows it over the editor.
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'hidden' });
}

/**
 * Picks a palette command and returns at once, for a command that asks with an input box or a quick pick of its
 * own: these take over the palette's widget, which may then never be seen hidden.
 */
export async function startPaletteCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/**
 * The quick input widget once it shows `title` (the `title` of a showInputBox or showQuickPick): the title bar
 * is `.quick-input-title`, the text field `.quick-input-box input`, the pick rows `.monaco-list-row`.
 */
export async function quickInputTitled(page: Page, title: string, timeoutMs = 30_000): Promise<Locator> {
  const widget = page.locator('.quick-input-widget', {
    has: page.locator('.quick-input-title', { hasText: title }),
  });
  await widget.waitFor({ state: 'visible', timeout: timeoutMs });
  return widget;
}

/** Types `text` into the input box titled `title`, key by key as a person does, and submits it with Enter. */
export async function answerInputBox(page: Page, title: string, text: string): Promise<void> {
  const widget = await quickInputTitled(page, title);
  const input = widget.locator('.quick-input-box input');
  await input.pressSequentially(text);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden' });
}

/**
 * A modal dialog whose text has `text` (`showInformationMessage(..., { modal: true })`). In the browser VS Code
 * has no native dialogs: it draws them in HTML, `.monaco-dialog-box` (message in `.dialog-message-text`, detail
 * in `.dialog-message-detail`) with its buttons in `.dialog-buttons .monaco-button`; VS Code adds Cancel itself.
 * Measured in code-server 4.139.1 with the smoke-test driver on (test/e2e/metaAgent.e2e.test.ts clicks them):
 * the same HTML dialog, not a native one, also asks "Do you want to save ...?" when an untitled editor closes.
 */
export async function modalDialog(page: Page, text: string | RegExp, timeoutMs = 60_000): Promise<Locator> {
  const dialog = page.locator('.monaco-dialog-box', { hasText: text });
  await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
  return dialog;
}

/** A button of a modal dialog (Accept, Cancel...), by its label. */
export function dialogButton(dialog: Locator, label: string): Locator {
  return dialog.locator('.dialog-buttons .monaco-button', { hasText: label });
}

/**
 * Opens the FleetAI container (a click on its activity-bar icon while it is open would close it) and moves the
 * mouse away, so no hover tooltip covers the views.
 */
export async function openFleetContainer(page: Page): Promise<void> {
  const container = page.locator('.sidebar [id="workbench.view.extension.fleetai"]');
  if (!(await container.isVisible())) {
    await page.locator('.activitybar .action-label[aria-label^="FleetAI"]').click();
    await container.waitFor({ state: 'visible' });
  }
  await page.mouse.move(850, 300);
}

/**
 * The notification centre's items with `text`. In smoke-test mode toasts go straight to the centre, which is
 * opened here when it is closed.
 */
export async function notificationsWith(page: Page, text: string | RegExp): Promise<Locator> {
  if (!(await page.locator('.notifications-center.visible').count())) {
    await runPaletteCommand(page, 'Notifications: Show Notifications');
    await page.locator('.notifications-center.visible').waitFor({ state: 'visible' });
  }
  return page.locator('.notifications-center .notification-list-item', { hasText: text });
}

export async function hideNotifications(page: Page): Promise<void> {
  if (await page.locator('.notifications-center.visible').count()) {
    await runPaletteCommand(page, 'Notifications: Hide Notifications');
  }
}

/** A button of a notification item (Approve, Deny, Show...). */
export function notificationButton(item: Locator, label: string): Locator {
  return item.locator('.notification-list-item-buttons-container .monaco-button', { hasText: label });
}

/**
 * The frame of the FleetAI webview whose root is `main[data-testid=testId]`. Each webview is two nested iframes
 * (`iframe.webview` > `#active-frame`); with several panels open, the outer frames of all of them are in the
 * page, so the one that holds the wanted root is looked for among all frames.
 */
export async function webviewFrame(page: Page, testId: string, timeoutMs = 30_000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const found = await frame
        .locator(`main[data-testid="${testId}"]`)
        .count()
        .catch(() => 0);
      if (found > 0) return frame;
    }
    if (Date.now() > end)
      throw new Error(`no webview with main[data-testid="${testId}"] within ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

/**
 * The frame of a webview (not the workbench itself) whose `selector` has `text`: for webviews that are not
 * FleetAI's, such as the Markdown preview (`.markdown-body`).
 */
export async function webviewFrameWith(
  page: Page,
  selector: string,
  text: string,
  timeoutMs = 30_000,
): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) continue;
      const found = await frame
        .locator(selector, { hasText: text })
        .count()
        .catch(() => 0);
      if (found > 0) return frame;
    }
    if (Date.now() > end)
      throw new Error(`no webview with ${selector} showing "${text}" within ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

/**
 * Types into a text field of a webview: a plain <input>/<textarea>, or a web component (vscode-textfield,
 * vscode-textarea) whose input sits in its shadow root, which Playwright's CSS engine pierces.
 */
export async function fillField(field: Locator, text: string): Promise<void> {
  const tag = await tagOf(field);
  if (tag === 'input' || tag === 'textarea') await field.fill(text);
  else await field.locator('input, textarea').first().fill(text);
}

/** The value of such a field, read the same way. */
export async function fieldValue(field: Locator): Promise<string> {
  const tag = await tagOf(field);
  if (tag === 'input' || tag === 'textarea') return field.inputValue();
  return field.locator('input, textarea').first().inputValue();
}

// The tests compile without the DOM library: the element is typed by the one property read.
async function tagOf(field: Locator): Promise<string> {
  return field.evaluate((el: { tagName: string }) => el.tagName.toLowerCase());
}

/**
 * The rows of a view of the side bar, found by its section header (`Agents Section`, `Approvals Section`...),
 * so one view's rows are not mistaken for another's.
 */
export function viewRows(page: Page, viewTitle: string): Locator {
  return page
    .locator('.sidebar .pane', { has: page.locator(`.pane-header[aria-label="${viewTitle} Section"]`) })
    .locator('.monaco-list-row');
}

/** The accessible labels of a view's rows (`refactor, demo-agent · DONE · 8s`), in view order. */
export async function viewRowLabels(page: Page, viewTitle: string): Promise<string[]> {
  return viewRows(page, viewTitle).evaluateAll((rows: { getAttribute(name: string): string | null }[]) =>
    rows.map((row) => row.getAttribute('aria-label') ?? ''),
  );
}

/** The names of the terminals in the panel's tab list, as VS Code shows them in full (not cut to the tab). */
export async function terminalNames(page: Page): Promise<string[]> {
  return page
    .locator('.panel .terminal-tabs-entry .monaco-icon-label .label-name')
    .evaluateAll((labels: { textContent: string | null }[]) =>
      labels.map((l) => (l.textContent ?? '').trim()),
    );
}

/** The name of the terminal the panel shows (its selected tab). */
export async function activeTerminalName(page: Page): Promise<string | undefined> {
  const label = page.locator('.panel .terminal-tabs-entry.is-active .monaco-icon-label .label-name');
  if (!(await label.count())) return undefined;
  return ((await label.first().textContent()) ?? '').trim();
}
