import type { NotificationFacts, WebhookEvent, WebhookFormat, WebhookPayload } from '@tuneforge/contracts';

/** A notification as its webhook posts it. */
export interface NotificationToPost {
  id: string;
  event: WebhookEvent;
  facts: NotificationFacts;
  createdAt: Date;
}

/** The `json` format's document: the recorded facts, the event, and the sweep's dashboard page. */
export function payloadOf(notification: NotificationToPost, publicUrl: string): WebhookPayload {
  return {
    id: notification.id,
    event: notification.event,
    occurredAt: notification.createdAt.toISOString(),
    url: `${publicUrl}/sweeps/${notification.facts.sweep.id}`,
    ...notification.facts,
  };
}

/** The body to post: the payload itself, or a Slack incoming webhook's message made from it. */
export function bodyOf(format: WebhookFormat, payload: WebhookPayload): string {
  return JSON.stringify(format === 'slack' ? slackMessageOf(payload) : payload);
}

/** A Slack message block (the few kinds used here). */
type SlackBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'section'; fields: { type: 'mrkdwn'; text: string }[] }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/**
 * A Slack incoming webhook's message: `text` (plain, for notifications and clients without blocks) and `blocks`: what
 * happened with a link to the sweep's page, then its status, best value and trials.
 */
export function slackMessageOf(payload: WebhookPayload): { text: string; blocks: SlackBlock[] } {
  const { sweep, trial, best } = payload;
  const metric = sweep.objective.metric;
  const linked = `*<${payload.url}|${escapeSlack(sweep.name)}>*`;
  // Each line twice: as plain text, and as mrkdwn with the sweep's name linked and free text escaped.
  type Line = (name: string, free: (text: string) => string) => string;
  const said = (line: Line) => ({ text: line(`'${sweep.name}'`, (text) => text), mrkdwn: line(linked, escapeSlack) });
  const what = (() => {
    switch (payload.event) {
      case 'sweep.completed':
        return said((name) => `Sweep ${name} completed${best ? `: best ${metric} ${formatValue(best.value)} (trial ${best.number})` : ''}`);
      case 'sweep.failed':
        return said((name, free) => `Sweep ${name} failed: ${free(sweep.statusReason ?? 'no reason recorded')}`);
      case 'trial.failed':
        return said((name, free) => `Trial ${trial?.number ?? '?'} of sweep ${name} failed: ${free(trial?.statusReason ?? 'no reason recorded')}`);
      case 'best.improved':
        return said(
          (name) =>
            `Sweep ${name} has a new best ${metric}: ${formatValue(trial?.value)} (trial ${trial?.number ?? '?'})${payload.previousBest === null ? '' : `, was ${formatValue(payload.previousBest)}`}`,
        );
    }
  })();
  const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${escapeSlack(value)}` });
  return {
    text: what.text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: what.mrkdwn } },
      {
        type: 'section',
        fields: [
          field('Status', sweep.status),
          field(`Best ${metric} (${sweep.objective.direction})`, best ? `${formatValue(best.value)} (trial ${best.number})` : '–'),
          field('Trials', `${sweep.trialsCreated} of ${sweep.plannedTrials} created`),
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Tuneforge · ${payload.event} · <${payload.url}|open the sweep>` }] },
    ],
  };
}

/** Slack's mrkdwn reserves &, < and >: user text (names, reasons) shows them as written. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatValue(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : String(Number(value.toPrecision(5)));
}
