import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentDetector, type IncidentDetectorState, type IncidentMessage } from '../../src/server/correlate/incidents/index.js';
import * as incidentWindow from '../../src/server/db/migrations/0022-incident-window.js';
import { createIncidentTracker, loadSavedDetector } from '../../src/server/pipeline/incidents.js';
import { dialects, isPostgresAvailable } from '../support/stores.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const pgAvailable = await isPostgresAvailable();

const TOPICS = ['my bill is wrong again', 'charged twice this month', 'parcel never arrived', 'cannot log in to my account', 'the app keeps crashing', 'router is broken', 'mobile signal is weak', 'refund still missing', 'engineer never showed up', 'contract price went up', 'tv box freezes', 'password reset email never comes', 'broadband slow in the evening', 'sim card not activated', 'upgrade order cancelled'];
const PLACES = ['Leeds', 'Bristol', 'Glasgow', 'Cardiff', 'London', 'Norwich', 'York'];
const OUTAGE = ['fibre broadband down in Leeds again, no internet since 9am', 'is the fibre broadband down in Leeds? nothing works at all', 'Leeds fibre broadband outage for hours now', 'no fibre broadband in Leeds this morning, router lights red', 'fibre broadband down across Leeds? my whole street has no internet', 'still no fibre broadband in Leeds, when will this be fixed', 'Leeds fibre broadband has been down all morning, useless', 'broadband fibre dead in Leeds, can not even check email', 'whole of Leeds without fibre broadband? this is a joke', 'Leeds fibre broadband down, kids cannot do homework'];

const everyday = (from: number, count: number, at: (i: number) => number): IncidentMessage[] =>
  Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { id: `m-${String(i).padStart(6, '0')}`, channelId: 'c', platform: 'x', text: `${TOPICS[(i * 7) % TOPICS.length]!} in ${PLACES[(i * 3) % PLACES.length]!}, order ${i % 13}`, at: at(i), isComplaint: true };
  });

describe.each(dialects)('the incident window as rows on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  beforeAll(async () => {
    if (!skip) app = await createTestApp(dialect, { incidents: { autoConfirmConfidence: null } });
  });
  afterAll(async () => app?.dispose());

  // Checkpoints its incidents on every batch, so each batch's saved state can be measured, and its baselines every
  // minute (of the `now` each batch is given). afterCommit effects run as the worker runs them.
  const tracker = createIncidentTracker({ autoConfirmConfidence: null, checkpointMs: 0 });
  // The same detector the tracker builds, fed the same batches in memory: what the store must restore to.
  const reference = createIncidentDetector({ minBaselineDocs: 150 });
  let clock = Date.now();
  const feed = async (messages: IncidentMessage[]): Promise<void> => {
    for (let i = 0; i < messages.length; i += 100) {
      const batch = messages.slice(i, i + 100);
      const effects: (() => void)[] = [];
      await app.uow((tx) => tracker.observe(tx, batch, clock, (e) => effects.push(e)));
      for (const effect of effects) effect();
      reference.observe(batch);
    }
  };
  const savedState = async (): Promise<string> => (await app.repos.incidents.detectorState())!.state;
  const restored = async (): Promise<IncidentDetectorState> => (await loadSavedDetector(app.repos, { minBaselineDocs: 150 })).detector.exportState();

  it.skipIf(skip)('writes the window as rows, so a checkpoint does not grow with the complaints in it, and restores to the same detector', async () => {
    const start = Date.now() - 24 * 3_600_000;
    // Twelve hours of everyday complaints (they leave the window and feed the baselines), then a busy minute.
    await feed(everyday(0, 400, (i) => start + i * 100_000));
    const busyFrom = start + 400 * 100_000;
    await feed(everyday(400, 300, (i) => busyFrom + (i - 400) * 100));
    const small = (await savedState()).length;
    await feed(everyday(700, 1200, (i) => busyFrom + (i - 400) * 100));
    const rows = await app.repos.incidents.windowEntries();
    const live = rows.filter((r) => !r.evicted);
    expect(live.map((r) => r.id)).toEqual(reference.exportState().window.map((e) => e.id));
    expect(live.length).toBeGreaterThan(1400);
    // Those that left the window since the baselines were saved (on the first batch) wait for the next save.
    expect(rows.filter((r) => r.evicted).length).toBeGreaterThan(300);
    // The checkpoint holds neither window nor baselines: five times the complaints in the window, the same size.
    const state = JSON.parse(await savedState()) as IncidentDetectorState;
    expect(state.window).toEqual([]);
    expect(state.baselineTerms.keys).toEqual([]);
    expect((await savedState()).length).toBeLessThan(small * 1.2);
    // Restored, the complaints that left the window are fed to the saved baselines again.
    expect(await restored()).toEqual(reference.exportState());
    // A minute later the baselines are saved, and the rows they now hold go.
    clock += 61_000;
    await feed(everyday(1900, 10, (i) => busyFrom + (i - 400) * 100));
    expect((await app.repos.incidents.windowEntries()).filter((r) => r.evicted)).toEqual([]);
    expect(await restored()).toEqual(reference.exportState());
  });

  it.skipIf(skip)('keeps incident members marked and marks complaints that leave the window', async () => {
    const last = reference.exportState().now!;
    const outage = OUTAGE.map((text, i) => ({ id: `o-${i}`, channelId: 'c', platform: 'x', text, at: last + 1000 + i * 2000, isComplaint: true }));
    await feed(outage);
    expect(reference.incidents()).toHaveLength(1);
    const assigned = (await app.repos.incidents.windowEntries()).filter((e) => e.isAssigned).map((e) => e.id);
    expect(assigned.length).toBeGreaterThanOrEqual(5);
    expect(await restored()).toEqual(reference.exportState());
    // Eleven minutes later: everything before leaves the window.
    await feed(everyday(5000, 5, (i) => last + 11 * 60_000 + i));
    const rows = await app.repos.incidents.windowEntries();
    expect(rows.filter((r) => !r.evicted).map((e) => e.id)).toEqual(['m-005000', 'm-005001', 'm-005002', 'm-005003', 'm-005004']);
    expect(await restored()).toEqual(reference.exportState());
  });

  it.skipIf(skip)('migrates a saved detector whose window and baselines are in its JSON into their own rows, and back', async () => {
    // Saves the baselines, so no complaint waits to be fed to them (going back to one row drops those).
    clock += 61_000;
    await feed(everyday(6000, 3, (i) => reference.exportState().now! + i));
    const before = await restored();
    await incidentWindow.down(app.store.db as never);
    const inline = JSON.parse(await savedState()) as IncidentDetectorState;
    expect(inline.window).toEqual(before.window);
    expect(inline.baselinePairs).toEqual(before.baselinePairs);
    await incidentWindow.up(app.store.db as never);
    expect((JSON.parse(await savedState()) as IncidentDetectorState).window).toEqual([]);
    expect(await restored()).toEqual(before);
  });
});

/** Warms a tracker up with a day of everyday complaints, then feeds an outage one message a batch, noting after each batch its events, the saved revision and the incident's confidence. */
const runOutage = async (app: TestApp, autoConfirmConfidence: number | null) => {
  const tracker = createIncidentTracker({ autoConfirmConfidence, checkpointMs: 5_000 });
  const clock = { now: Date.now() };
  const observe = async (batch: IncidentMessage[]) => {
    const effects: (() => void)[] = [];
    const events = await app.uow((tx) => tracker.observe(tx, batch, clock.now, (e) => effects.push(e)));
    for (const effect of effects) effect();
    const [incident] = (await app.services.incidents.list({ limit: 5 })).items;
    return { events: events.map((e) => e.type), revision: (await app.repos.incidents.detectorState())!.revision, confidence: incident?.confidence ?? 0, status: incident?.status ?? null };
  };
  const start = Date.now() - 24 * 3_600_000;
  const warm = everyday(0, 400, (i) => start + i * 100_000);
  for (let i = 0; i < warm.length; i += 100) await observe(warm.slice(i, i + 100));
  const from = start + 400 * 100_000;
  const outage = [...OUTAGE, ...OUTAGE.map((t) => `${t} still`)].map((text, i) => ({ id: `o-${i}`, channelId: 'c', platform: 'x', text, at: from + i * 2000, isComplaint: true }));
  const steps = [];
  for (const message of outage) steps.push(await observe([message]));
  return { steps, observe, clock, from };
};

describe.each(dialects)('incident checkpoints during an outage on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable;
  let app: TestApp;
  let confirming: TestApp;
  beforeAll(async () => {
    if (skip) return;
    app = await createTestApp(dialect, { incidents: { autoConfirmConfidence: null } });
    confirming = await createTestApp(dialect, { incidents: { autoConfirmConfidence: null } });
  });
  afterAll(async () => {
    await app?.dispose();
    await confirming?.dispose();
  });
  let suspectedAt = 0;
  let peak = 0;

  it.skipIf(skip)('saves the incidents when one is found, not on every batch that adds members to it', async () => {
    const { steps, observe, clock, from } = await runOutage(app, null);
    const found = steps.findIndex((s) => s.events.includes('incident_suspected'));
    expect(found).toBeGreaterThan(0);
    const joined = steps.slice(found + 1).filter((s) => s.events.includes('member_added'));
    expect(joined.length).toBeGreaterThanOrEqual(5);
    // Found: saved. Members joining: the same revision until the checkpoint is due.
    expect(steps[found]!.revision).toBeGreaterThan(steps[found - 1]!.revision);
    for (const s of joined) expect(s.revision).toBe(steps[found]!.revision);
    suspectedAt = steps[found]!.confidence;
    peak = Math.max(...steps.map((s) => s.confidence));
    clock.now += 5_000;
    const later = await observe([{ id: 'o-late', channelId: 'c', platform: 'x', text: OUTAGE[0]!, at: from + 60_000, isComplaint: true }]);
    expect(later.revision).toBe(steps[found]!.revision + 1);
    // Saved with the checkpoint: a restart restores every member the incident's row counts.
    const [incident] = (await app.services.incidents.list({ limit: 5 })).items;
    const restored = await loadSavedDetector(app.repos, { minBaselineDocs: 150 });
    expect(restored.detector.incident(incident!.id)!.memberCount).toBe(incident!.memberCount);
  });

  it.skipIf(skip)('saves at once when a member joining makes the detector confirm the incident by itself', async () => {
    // Confirmed by itself between the confidence it was found with and the highest its members brought it to.
    expect(peak).toBeGreaterThan(suspectedAt);
    const { steps } = await runOutage(confirming, (suspectedAt + peak) / 2);
    const confirmedAt = steps.findIndex((s) => s.status === 'confirmed');
    expect(confirmedAt).toBeGreaterThan(steps.findIndex((s) => s.events.includes('incident_suspected')));
    expect(steps[confirmedAt]!.events).toEqual(['member_added']);
    expect(steps[confirmedAt]!.revision).toBe(steps[confirmedAt - 1]!.revision + 1);
    const restored = await loadSavedDetector(confirming.repos, { minBaselineDocs: 150 });
    expect(restored.detector.incidents()[0]!.status).toBe('confirmed');
  });
});
