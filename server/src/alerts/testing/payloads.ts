// Notifications in each sender's documented shape, for tests: Alertmanager's webhook body (version 4),
// Grafana's webhook contact point body (version 1), and the Datadog template of docs/alerts.md as Datadog
// fills it in (every value a string).
import { fingerprintOf } from '../alert.js';

export interface AmAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
}

const STARTS_AT = '2026-11-23T10:00:00.000Z';
const NEVER = '0001-01-01T00:00:00Z';

/** One Alertmanager alert as it appears in `alerts[]`. */
export function amAlert({ status, labels, annotations = {}, startsAt = STARTS_AT, endsAt, fingerprint }: AmAlert) {
  return {
    status,
    labels,
    annotations,
    startsAt,
    endsAt: endsAt ?? (status === 'resolved' ? '2026-11-23T10:05:00.000Z' : NEVER),
    generatorURL: `http://prometheus:9090/graph?g0.expr=${encodeURIComponent('job:http_errors:rate5m > 0.05')}&g0.tab=1`,
    fingerprint: fingerprint ?? fingerprintOf(labels),
  };
}

/** A webhook_configs notification grouping `alerts` (top-level status: firing until all are resolved). */
export function alertmanagerBody(alerts: ReturnType<typeof amAlert>[]) {
  const common = alerts.length === 1 ? alerts[0]!.labels : { alertname: alerts[0]?.labels.alertname ?? '' };
  return {
    receiver: 'flagstaff',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: { alertname: common.alertname },
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: `{}:{alertname="${common.alertname}"}`,
    truncatedAlerts: 0,
  };
}

/** Grafana-managed alerting's webhook body for the same alerts. */
export function grafanaBody(alerts: ReturnType<typeof amAlert>[]) {
  const firing = alerts.some((a) => a.status === 'firing');
  return {
    ...alertmanagerBody(alerts),
    version: '1',
    orgId: 1,
    state: firing ? 'alerting' : 'ok',
    title: `[${firing ? 'FIRING' : 'RESOLVED'}:${alerts.length}] ${alerts[0]?.labels.alertname ?? ''}`,
    message: '**Firing**\n\nValue: B=0.12',
    alerts: alerts.map((a) => ({
      ...a,
      silenceURL: 'http://grafana:3000/alerting/silence/new',
      dashboardURL: 'http://grafana:3000/d/checkout',
      panelURL: 'http://grafana:3000/d/checkout?viewPanel=4',
      values: { B: 0.12 },
      valueString: "[ var='B' labels={} value=0.12 ]",
    })),
  };
}

export interface DdInput {
  transition: string;
  title?: string;
  eventTitle?: string;
  alertId?: string;
  cycleKey?: string;
  tags?: string;
  scope?: string;
}

/** The docs/alerts.md Datadog template after Datadog substituted its variables. */
export function datadogBody({
  transition,
  title = 'High checkout error rate',
  eventTitle,
  alertId = '1234567',
  cycleKey = '7010357291245812345',
  tags = 'env:prod,flag:new-checkout,team:payments',
  scope = 'service:checkout',
}: DdInput) {
  return {
    alert_title: title,
    alert_transition: transition,
    alert_id: alertId,
    alert_cycle_key: cycleKey,
    event_title: eventTitle ?? `[${transition} on {${scope}}] ${title}`,
    alert_scope: scope,
    tags,
    link: `https://app.datadoghq.com/monitors/${alertId}`,
  };
}
