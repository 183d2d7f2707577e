// Tests of connections/imports.ts and the templates of connections/mappingTemplates.ts.
import { describe, expect, it } from 'vitest';
import {
  checkImportForm,
  formatSeconds,
  fractionRead,
  isFinished,
  lineRange,
  lineText,
  mappingLine,
  rateText,
  rejectsFileName,
  suggestTemplate,
  summaryText,
} from './imports';
import { MAPPING_TEMPLATES } from './mappingTemplates';

const running = { state: 'running', bytesRead: 250, bytesTotal: 1000, rowsPerSecond: 2129.4, etaSeconds: 3.2 };

describe('progress', () => {
  it('reads the share of the file, whole once done', () => {
    expect(fractionRead(running)).toBe(0.25);
    expect(fractionRead({ ...running, bytesTotal: null })).toBeNull();
    expect(fractionRead({ ...running, state: 'done', bytesRead: 0 })).toBe(1);
    expect(fractionRead({ ...running, bytesRead: 2000 })).toBe(1);
  });
  it('says the rate and the time left while running', () => {
    expect(rateText(running)).toBe('2,129 rows/s · about 3.2 s left');
    expect(rateText({ ...running, rowsPerSecond: 0, etaSeconds: null })).toBe('');
    expect(rateText({ ...running, state: 'done' })).toBe('');
  });
  it('writes times a person reads', () => {
    expect(formatSeconds(0.04)).toBe('0 s');
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(95)).toBe('1 min 35 s');
    expect(formatSeconds(120)).toBe('2 min');
    expect(formatSeconds(4000)).toBe('1 h 7 min');
  });
  it('sums up, and knows when to stop asking', () => {
    expect(summaryText({ rowsRead: 18, rowsImported: 12, rowsRejected: 6 })).toBe('18 rows read: 12 imported, 6 rejected');
    expect(isFinished({ state: 'done' })).toBe(true);
    expect(isFinished({ state: 'failed' })).toBe(true);
    expect(isFinished({ state: 'running' })).toBe(false);
    expect(isFinished({ state: 'waiting_for_data' })).toBe(false);
  });
});

describe('the mapping', () => {
  const mapping = 'format = "csv"\n\n[event]\ntype = "trak"\n';
  it('finds the line a refusal names', () => {
    expect(mappingLine('mapping:4: [event] type: "trak" is not one of track, identify, page, screen, group')).toBe(4);
    expect(mappingLine('mapping:3:7: expected a value')).toBe(3);
    expect(mappingLine('"mapping" is required, as a string')).toBeNull();
    expect(mappingLine(null)).toBeNull();
    expect(lineText(mapping, 4)).toBe('type = "trak"');
    expect(lineText(mapping, 40)).toBe('');
  });
  it('gives the offsets that select a line', () => {
    const [start, end] = lineRange(mapping, 4);
    expect(mapping.slice(start, end)).toBe('type = "trak"');
    expect(lineRange(mapping, 1)).toEqual([0, 14]);
  });
  it('offers the four examples as templates, read from examples/', () => {
    expect(MAPPING_TEMPLATES.map((t) => t.id)).toEqual(['crm_contacts', 'orders', 'support_tickets', 'social_mentions']);
    for (const t of MAPPING_TEMPLATES) expect(t.text).toMatch(/\[event\]/);
    expect(MAPPING_TEMPLATES[1].text).toContain('name = "Order Completed"');
  });
  it('suggests the template of a sample file', () => {
    expect(suggestTemplate('orders.csv', MAPPING_TEMPLATES)).toBe('orders');
    expect(suggestTemplate('Orders (2).csv', MAPPING_TEMPLATES)).toBe('orders');
    expect(suggestTemplate('support_tickets.jsonl.gz', MAPPING_TEMPLATES)).toBe('support_tickets');
    expect(suggestTemplate('ledger.csv', MAPPING_TEMPLATES)).toBeNull();
  });
});

describe('the form', () => {
  const file = { name: 'orders.csv', size: 1200 };
  it('says what is missing first', () => {
    expect(checkImportForm({ source: '', file, mapping: 'x' })).toEqual({ ok: false, problem: 'Pick the source the events go into.' });
    expect(checkImportForm({ source: 'shop', file: null, mapping: 'x' }).ok).toBe(false);
    expect(checkImportForm({ source: 'shop', file: { name: 'e.csv', size: 0 }, mapping: 'x' })).toEqual({ ok: false, problem: 'e.csv is empty.' });
    expect(checkImportForm({ source: 'shop', file: { name: 'big.csv', size: 300 * 1024 * 1024 }, mapping: 'x' }).ok).toBe(false);
    expect(checkImportForm({ source: 'shop', file, mapping: '  ' }).ok).toBe(false);
  });
  it('builds the POST /api/v1/imports body', () => {
    expect(checkImportForm({ source: 'shop', file, mapping: 'm' })).toEqual({ ok: true, value: { source: 'shop', fileName: 'orders.csv', mapping: 'm' } });
  });
  it('names the rejects file as the command line does', () => {
    expect(rejectsFileName('orders.csv')).toBe('orders.rejects.jsonl');
    expect(rejectsFileName('x')).toBe('x.rejects.jsonl');
  });
});
