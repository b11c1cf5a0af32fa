import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { Platform } from '../../../shared/envelope.js';
import { api } from '../../api/client.js';
import type { SlaPolicyDto } from '../../api/types.js';
import { ErrorNotice } from '../../ui/notice.js';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const dayNames: Record<(typeof weekdays)[number], string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
// SLA scopes and overrides name platforms, as the decide stage matches them.
export const platforms = ['x', 'facebook', 'instagram', 'whatsapp', 'reddit', 'mastodon', 'bluesky', 'rss', 'email', 'chat', 'form', 'phone'] as const satisfies readonly Platform[];
const bands = ['urgent', 'high', 'normal', 'low'] as const;
const tiers = ['standard', 'micro', 'mid', 'macro', 'mega'] as const;
const timeZones: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'];

interface Targets {
  firstResponseMinutes: string;
  nextResponseMinutes: string;
  resolutionMinutes: string;
}
interface OverrideDraft extends Targets {
  key: number;
  channel: string;
  band: string;
  tier: string;
}

/** "09:00-12:00, 13:00-17:30" ⇄ windows; empty means closed that day. */
const formatWindows = (spans: { open: string; close: string }[] | undefined): string => (spans ?? []).map((s) => `${s.open}-${s.close}`).join(', ');
const parseWindows = (text: string): { open: string; close: string }[] | null => {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const out: { open: string; close: string }[] = [];
  for (const part of parts) {
    const m = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!m) return null;
    const pad = (t: string) => t.padStart(5, '0');
    out.push({ open: pad(m[1]!), close: pad(m[2]!) });
  }
  return out;
};

const toNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
const targetsOf = (t: Targets) => ({ firstResponseMinutes: toNumber(t.firstResponseMinutes), nextResponseMinutes: toNumber(t.nextResponseMinutes), resolutionMinutes: toNumber(t.resolutionMinutes) });
const withoutEmpty = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

let overrideKeys = 0;

/** Create a policy, or edit one when `policy` is given (the built-in defaults are a starting point for a new one). */
export const SlaPolicyForm = ({ policy, copyOf, onDone }: { policy?: SlaPolicyDto; copyOf?: SlaPolicyDto; onDone(): void }) => {
  const client = useQueryClient();
  const id = useId();
  const base = policy ?? copyOf;
  const [name, setName] = useState(policy?.name ?? (copyOf ? `${copyOf.name} (custom)` : ''));
  const [visibility, setVisibility] = useState<string>(base?.appliesTo.visibility ?? '');
  const [channels, setChannels] = useState<string[]>(base?.appliesTo.channels ?? []);
  const [defaults, setDefaults] = useState<Targets>({
    firstResponseMinutes: String(base?.defaults.firstResponseMinutes ?? 60),
    nextResponseMinutes: String(base?.defaults.nextResponseMinutes ?? 240),
    resolutionMinutes: String(base?.defaults.resolutionMinutes ?? 1440),
  });
  const [warnPercent, setWarnPercent] = useState(String(Math.round((base?.warnAtRatio ?? 0.8) * 100)));
  const [overrides, setOverrides] = useState<OverrideDraft[]>(
    (base?.overrides ?? []).map((o) => {
      const r = o as { channel?: string; band?: string; tier?: string; targets?: Partial<Record<keyof Targets, number>> };
      return { key: (overrideKeys += 1), channel: r.channel ?? '', band: r.band ?? '', tier: r.tier ?? '', firstResponseMinutes: String(r.targets?.firstResponseMinutes ?? ''), nextResponseMinutes: String(r.targets?.nextResponseMinutes ?? ''), resolutionMinutes: String(r.targets?.resolutionMinutes ?? '') };
    }),
  );
  const [businessHours, setBusinessHours] = useState(base?.businessHours ?? false);
  const [timeZone, setTimeZone] = useState(base?.calendar.timeZone ?? 'UTC');
  const [hours, setHours] = useState<Record<string, string>>(() =>
    Object.fromEntries(weekdays.map((d) => [d, base ? formatWindows(base.calendar.hours[d]) : d === 'sat' || d === 'sun' ? '' : '09:00-17:00'])),
  );
  const [holidays, setHolidays] = useState((base?.calendar.holidays ?? []).join(', '));
  const [formError, setFormError] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (body: unknown) => (policy ? api.put(`/sla-policies/${encodeURIComponent(policy.id)}`, body) : api.post('/sla-policies', body)),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['sla-policies'] });
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const calendarHours: Record<string, { open: string; close: string }[]> = {};
    for (const d of weekdays) {
      const windows = parseWindows(hours[d] ?? '');
      if (!windows) {
        setFormError(`${dayNames[d]}: write opening hours like 09:00-17:00 (several separated by commas), or leave it empty for closed.`);
        return;
      }
      calendarHours[d] = windows;
    }
    setFormError(null);
    save.mutate({
      name: name.trim(),
      ...(policy ? { position: policy.position } : {}),
      appliesTo: withoutEmpty({ visibility: visibility || undefined, channels: channels.length ? channels : undefined }),
      businessHours,
      warnAtRatio: Number(warnPercent) / 100,
      defaults: targetsOf(defaults),
      overrides: overrides.map((o) => withoutEmpty({ channel: o.channel, band: o.band, tier: o.tier, targets: withoutEmpty(targetsOf(o)) })),
      calendar: { timeZone, hours: calendarHours, holidays: holidays.split(/[\s,]+/).filter(Boolean) },
    });
  };

  const setOverride = (key: number, change: Partial<OverrideDraft>) => setOverrides((list) => list.map((o) => (o.key === key ? { ...o, ...change } : o)));
  const title = policy ? `Edit ${policy.name}` : 'New SLA policy';
  const minutesField = (label: string, value: string, onChange: (v: string) => void, required: boolean) => (
    <label className="field">
      <span>{label}</span>
      <input type="number" min={1} max={525600} required={required} inputMode="numeric" value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );

  return (
    <form className="card sla-form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="form-grid">
        <label className="field">
          <span>Policy name</span>
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Conversations</span>
          <select value={visibility} onChange={(e) => setVisibility(e.target.value)}>
            <option value="">Public and private</option>
            <option value="public">Public only</option>
            <option value="private">Private only (DMs, email, chat)</option>
          </select>
        </label>
      </div>
      <fieldset className="fieldset">
        <legend>Channels (none ticked: every channel)</legend>
        <div className="checkbox-grid">
          {platforms.map((p) => (
            <label key={p} className="field-inline">
              <input type="checkbox" checked={channels.includes(p)} onChange={(e) => setChannels((list) => (e.target.checked ? [...list, p] : list.filter((x) => x !== p)))} />
              <span>{p}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Targets in minutes</legend>
        <div className="form-grid">
          {minutesField('First response', defaults.firstResponseMinutes, (v) => setDefaults({ ...defaults, firstResponseMinutes: v }), true)}
          {minutesField('Next response', defaults.nextResponseMinutes, (v) => setDefaults({ ...defaults, nextResponseMinutes: v }), true)}
          {minutesField('Resolution', defaults.resolutionMinutes, (v) => setDefaults({ ...defaults, resolutionMinutes: v }), true)}
          <label className="field">
            <span>Warn at (% of target)</span>
            <input type="number" min={1} max={99} required value={warnPercent} onChange={(e) => setWarnPercent(e.target.value)} />
          </label>
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Overrides by channel, priority and customer tier (the most specific match wins)</legend>
        {overrides.length === 0 ? <p className="muted">No overrides: every conversation this policy covers gets the targets above.</p> : null}
        {overrides.map((o, index) => (
          <div key={o.key} className="override-row" role="group" aria-label={`Override ${index + 1}`}>
            <label className="field">
              <span>Channel</span>
              <select value={o.channel} onChange={(e) => setOverride(o.key, { channel: e.target.value })}>
                <option value="">Any channel</option>
                {platforms.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Priority</span>
              <select value={o.band} onChange={(e) => setOverride(o.key, { band: e.target.value })}>
                <option value="">Any priority</option>
                {bands.map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Customer tier</span>
              <select value={o.tier} onChange={(e) => setOverride(o.key, { tier: e.target.value })}>
                <option value="">Any tier</option>
                {tiers.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            {minutesField('First response', o.firstResponseMinutes, (v) => setOverride(o.key, { firstResponseMinutes: v }), false)}
            {minutesField('Next response', o.nextResponseMinutes, (v) => setOverride(o.key, { nextResponseMinutes: v }), false)}
            {minutesField('Resolution', o.resolutionMinutes, (v) => setOverride(o.key, { resolutionMinutes: v }), false)}
            <button type="button" className="btn btn-small" onClick={() => setOverrides((list) => list.filter((x) => x.key !== o.key))}>
              Remove override {index + 1}
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={() => setOverrides((list) => [...list, { key: (overrideKeys += 1), channel: '', band: 'urgent', tier: '', firstResponseMinutes: '', nextResponseMinutes: '', resolutionMinutes: '' }])}>
          Add override
        </button>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Business hours</legend>
        <label className="field-inline">
          <input type="checkbox" checked={businessHours} onChange={(e) => setBusinessHours(e.target.checked)} />
          <span>Clocks run only during business hours (otherwise around the clock)</span>
        </label>
        <div className="form-grid">
          <label className="field">
            <span>Time zone</span>
            <input list={`${id}-zones`} required value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
            <datalist id={`${id}-zones`}>
              {timeZones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
          {weekdays.map((d) => (
            <label key={d} className="field">
              <span>{dayNames[d]}</span>
              <input value={hours[d] ?? ''} placeholder="closed" onChange={(e) => setHours({ ...hours, [d]: e.target.value })} />
            </label>
          ))}
        </div>
        <label className="field">
          <span>Holidays (YYYY-MM-DD, separated by commas)</span>
          <input value={holidays} placeholder="2026-12-25, 2027-01-01" onChange={(e) => setHolidays(e.target.value)} />
        </label>
      </fieldset>
      {formError ? (
        <p className="notice notice-error" role="alert">
          {formError}
        </p>
      ) : null}
      {save.error ? <ErrorNotice error={save.error} /> : null}
      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {policy ? 'Save policy' : 'Create policy'}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
};
