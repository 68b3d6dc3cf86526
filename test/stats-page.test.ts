import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership } from './factories';
import { launchBrowser, offlinePage } from './support/browser';
import { startTestHub, TestHub } from './support/harness';
import { AcademicTitle, Degree, Gender } from '../src/modules/intellectual/intellectual.enums';

/**
 * The statistics page (/stats) in a real Chromium, offline: its charts must hold the numbers the
 * GraphQL API gives the same caller (public: rounded and suppressed; ANALYST: exact).
 */
let t: TestHub;
let origin: string;
let browser: Browser | undefined;
let fedCode: string;

const BUCKET = '{ key label count suppressed }';
const BREAKDOWNS = ['peopleByAssociation', 'peopleByField', 'peopleByDegree', 'peopleByAcademicTitle', 'peopleByGender', 'peopleByBirthDecade', 'newMembershipsByYear', 'associationsByField'];
const QUERY = `query($code: String!) { federation(code: $code) { stats { disclosureControl ${BREAKDOWNS.map((b) => `${b} ${BUCKET}`).join(' ')} } } }`;
type Bucket = { key: string; label: string | null; count: number | null; suppressed: boolean };

beforeAll(async () => {
  t = await startTestHub();
  origin = new URL(t.url).origin;
  const em = t.em();
  const fed = await createFederation(em, { name: 'Liên hiệp các Hội KH&KT tỉnh Thử Nghiệm' });
  fedCode = fed.code;
  const assocs = [
    await createAssociation(em, fed, { name: 'Hội Y học', fields: ['3.2', '3.1'] }),
    await createAssociation(em, fed, { name: 'Hội Tin học', fields: ['1.2'] }),
    await createAssociation(em, fed, { name: 'Hội Nông nghiệp', fields: ['4.1'] }),
  ];
  const degrees = [Degree.TS, Degree.THS, Degree.CN, Degree.KS, Degree.BS, Degree.TSKH];
  const genders = [Gender.FEMALE, Gender.MALE, Gender.MALE, Gender.FEMALE, Gender.UNDISCLOSED];
  const fields = [['3.2'], ['1.2'], ['4.1', '3.2'], ['1.2'], ['2.2']];
  for (let i = 0; i < 46; i++) {
    const person = await createIntellectual(em, {
      fullName: `Nguyễn Văn Thử ${i}`,
      gender: genders[i % genders.length],
      highestDegree: degrees[i % degrees.length],
      academicTitle: i % 9 === 0 ? AcademicTitle.GS : i % 4 === 0 ? AcademicTitle.PGS : AcademicTitle.NONE,
      birthDate: i % 7 === 0 ? undefined : `${1950 + ((i * 7) % 50)}-0${1 + (i % 9)}-15`,
      fields: fields[i % fields.length],
    } as never);
    await createMembership(em, person, assocs[i % 3], { joinedOn: `${2012 + (i % 12)}-03-01` } as never);
    if (i % 5 === 0) await createMembership(em, person, assocs[(i + 1) % 3], { joinedOn: '2024-06-01' } as never);
  }
});
afterAll(async () => {
  await browser?.close();
  await t.close();
});

/** Every chart of the page: its breakdown, the buckets it was given and what Chart.js draws. */
async function chartsOf(page: Page): Promise<{ breakdown: string; buckets: Bucket[]; labels: string[]; data: (number | null)[] }[]> {
  return page.evaluate(`[...document.querySelectorAll('.stats-card')].map((card) => {
    const chart = Chart.getChart(card.querySelector('canvas'));
    return { breakdown: card.dataset.breakdown, buckets: JSON.parse(card.dataset.buckets), labels: chart.data.labels, data: chart.data.datasets[0].data };
  })`);
}

async function expectChartsToMatchApi(page: Page, headers: Record<string, string> = {}): Promise<Record<string, Bucket[]>> {
  const api = (await t.data<any>(QUERY, { code: fedCode }, headers)).federation.stats;
  const charts = await chartsOf(page);
  expect(charts.map((c) => c.breakdown)).toEqual(BREAKDOWNS);
  for (const c of charts) {
    const buckets: Bucket[] = api[c.breakdown];
    expect(c.buckets).toEqual(buckets);
    expect(c.data).toEqual(buckets.map((b) => b.count)); // suppressed groups: null, no bar
    expect(c.labels).toEqual(buckets.map((b) => (b.label ? `${b.label} (${b.key})` : b.key)));
    expect(c.data.length).toBeGreaterThan(0);
  }
  return api;
}

describe('the statistics page', () => {
  it('is served with a CSP that allows nothing but the hub, not even inline styles', async () => {
    const r = await fetch(`${origin}/stats`);
    expect(r.status).toBe(200);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe|https?:|\*|blob:/);
    const html = await r.text();
    expect(html).not.toMatch(/<script>|https?:\/\//);
    const chart = html.match(/src="(\/vendor\/chart\.js-[^"]+)"/)![1];
    const js = await fetch(origin + chart);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toMatch(/Chart\.js v4\./);
    expect((await fetch(origin + chart.replace('chart.umd.min.js', 'chart.cjs'))).status).toBe(404);
  });

  it('draws the API numbers offline, public then with an ANALYST key, and downloads each breakdown as CSV', async () => {
    browser = await launchBrowser(); // fails, saying how to install Chromium, when it is missing
    const { page, outside, consoleErrors } = await offlinePage(browser, origin);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });

    // Public: the same rounded, suppressed figures as the API gives an anonymous caller.
    await page.goto(`${origin}/stats?kind=federation&code=${encodeURIComponent(fedCode)}`);
    await page.waitForSelector('#stats[data-state="shown"]');
    const pub = await expectChartsToMatchApi(page);
    expect(pub.disclosureControl).toBe('ROUNDED_BASE_5_SUPPRESSED_UNDER_5');
    const publicCounts = Object.values(pub).flat().filter((b: any) => b && typeof b === 'object' && b.count !== null) as Bucket[];
    expect(publicCounts.length).toBeGreaterThan(0);
    // Field and association counts are exact for everyone; people counts are multiples of 5.
    for (const b of (pub.peopleByGender as Bucket[]).concat(pub.peopleByDegree)) if (b.count !== null) expect(b.count % 5).toBe(0);
    expect(await page.locator('#stats-summary').getAttribute('data-disclosure-control')).toBe('ROUNDED_BASE_5_SUPPRESSED_UNDER_5');

    // With a key typed in the page: exact figures, as the API gives that key.
    const key = await createKey(t.em(), 'ANALYST');
    await page.fill('#stats-key', key.key);
    await page.evaluate(`document.getElementById('stats').dataset.state = ''`);
    await page.click('#stats-form button[type="submit"]');
    await page.waitForSelector('#stats[data-state="shown"]');
    expect(await page.locator('#stats-summary').getAttribute('data-disclosure-control')).toBe('NONE');
    const exact = await expectChartsToMatchApi(page, key.headers);
    const gender = Object.fromEntries((exact.peopleByGender as Bucket[]).map((b) => [b.key, b.count]));
    expect(gender).toEqual({ FEMALE: 19, MALE: 18, UNDISCLOSED: 9 }); // 46 people, genders in turn

    // CSV of a breakdown: what the API says, one line per group.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-breakdown="peopleByGender"] a.stats-csv')]);
    expect(download.suggestedFilename()).toBe(`${fedCode}-peopleByGender.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')).toEqual([
      '\ufeffkey,label,count,suppressed',
      ...(exact.peopleByGender as Bucket[]).map((b) => `${b.key},${b.label ?? ''},${b.count},false`),
      '',
    ]);
    const [fieldsCsv] = await Promise.all([page.waitForEvent('download'), page.click('[data-breakdown="peopleByField"] a.stats-csv')]);
    const lines = fs.readFileSync((await fieldsCsv.path())!, 'utf8').split('\r\n');
    expect(lines.length).toBe((exact.peopleByField as Bucket[]).length + 2);
    const medicine = (exact.peopleByField as Bucket[]).find((b) => b.key === '3.2')!;
    expect(lines).toContain(`3.2,${medicine.label},${medicine.count},false`);

    await page.setViewportSize({ width: 1400, height: 1300 });
    await page.screenshot({ path: path.join(__dirname, '..', 'docs', 'stats.png') });
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
