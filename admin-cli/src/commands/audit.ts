// `flagstaff audit [--flag K] [--env E] [--since 1h]`: who changed what, when and why — newest first.
import type { Command } from 'commander';
import type { AuditEntry, AuditQueryParams } from '@flagstaff/core/admin';
import { CommandContext, examples } from '../context.js';
import { formatPercent } from '../describe.js';
import type { Io } from '../io.js';
import { parsePositiveInt, parseTime } from '../parse.js';

type AuditOptions = { flag?: string; env?: string; since?: string; until?: string; actor?: string; action?: string; limit: string };

/** The server returns at most this many entries a page (docs/api.md). */
const PAGE = 200;

export function registerAudit(program: Command, io: Io): void {
  program
    .command('audit')
    .description('show the audit log, newest first')
    .option('--flag <key>', 'only this flag')
    .option('--env <env>', 'only this environment')
    .option('--since <time>', 'a duration back from now (15m, 1h, 7d, 2w) or an ISO-8601 time')
    .option('--until <time>', 'same forms as --since')
    .option('--actor <id>', 'only changes by this actor (id or name)')
    .option('--action <action>', 'only this action, e.g. flag_state.update, or a prefix: flag.*')
    .option('--limit <n>', 'at most this many entries', '50')
    .addHelpText(
      'after',
      examples(
        'flagstaff audit --flag new-checkout --env production --since 1h',
        'flagstaff audit --since 7d --json | jq ".entries[] | select(.reason)"',
      ),
    )
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<AuditOptions>(io, command);
      const { flag, env, actor, action } = ctx.options;
      const limit = parsePositiveInt(ctx.options.limit, '--limit');
      const since = ctx.options.since === undefined ? undefined : parseTime(ctx.options.since, '--since');
      const until = ctx.options.until === undefined ? undefined : parseTime(ctx.options.until, '--until');
      const api = await ctx.api();

      const entries: AuditEntry[] = [];
      let cursor: string | undefined;
      let nextCursor: string | null = null;
      do {
        const query: AuditQueryParams = { flag, env, actor, action, since, until, cursor, limit: Math.min(PAGE, limit - entries.length) };
        const page = await api.listAudit(query);
        entries.push(...page.entries);
        nextCursor = page.nextCursor;
        cursor = nextCursor ?? undefined;
      } while (cursor && entries.length < limit);

      ctx.out.result({ entries, nextCursor }, () => {
        if (!entries.length) return ctx.out.line(ctx.out.style.dim('no audit entries'));
        ctx.out.table(
          ['at', 'actor', 'action', 'env', 'resource', 'change', 'reason'],
          entries.map((entry) => [
            entry.at,
            entry.actor.name ?? entry.actor.id ?? entry.actor.kind,
            entry.action,
            entry.env ?? '',
            entry.resource.key,
            summariseChange(entry.before, entry.after, entry.action),
            entry.reason ?? '',
          ]),
        );
      });
    });
}

/**
 * "on: false→true", "fallthrough: variation 0→rollout 75%/25%", or the names of the fields that changed when
 * they do not fit on a line. An audit entry holds one state without the flag's variations, so a rollout is
 * shown by variation index.
 */
export function summariseChange(before: unknown, after: unknown, action = ''): string {
  // A refused webhook request records what happened to it, not a resource that came to be.
  if (action === 'hook.rejected' && isRecord(after)) return `rejected ${String(after.status)}: ${String(after.why)}`;
  if (before === undefined && after !== undefined) return action === '' || action.endsWith('.create') ? 'created' : describeRecord(after);
  if (after === undefined && before !== undefined) return 'deleted';
  if (!isRecord(before) || !isRecord(after)) return '';
  const ignored = new Set(['version', 'updatedAt', 'createdAt']);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (field) => !ignored.has(field) && JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
  return changed
    .map((field) => {
      const [from, to] = [inline(before[field]), inline(after[field])];
      return from !== undefined && to !== undefined ? `${field}: ${from}→${to}` : field;
    })
    .join(', ');
}

/** An entry that records one value and no change of it: its short fields, `field: value, …`. */
function describeRecord(value: unknown): string {
  if (!isRecord(value)) return inline(value) ?? '';
  return Object.entries(value)
    .flatMap(([field, inner]) => {
      const text = inline(inner);
      return text === undefined ? [] : [`${field}: ${text}`];
    })
    .join(', ');
}

/** A value short enough for the CHANGE column, or undefined. */
function inline(value: unknown): string | undefined {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return JSON.stringify(value);
  if (!isRecord(value)) return undefined;
  if (typeof value.variation === 'number') return `variation ${value.variation}`;
  const weights = isRecord(value.rollout) ? value.rollout.weights : undefined;
  if (Array.isArray(weights) && weights.every((weight) => typeof weight === 'number')) {
    return `rollout ${weights.map(formatPercent).join('/')}`;
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
