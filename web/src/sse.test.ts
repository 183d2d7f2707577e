// Tests of sse.ts: messages out of a text/event-stream cut at any point.
import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';

describe('SseParser', () => {
  it('parses what /api/v1/events/stream sends', () => {
    const p = new SseParser();
    const out = p.feed('data: {"type":"track","event":"A"}\n\ndata: {"type":"page"}\n\n');
    expect(out).toEqual([
      { event: 'message', data: '{"type":"track","event":"A"}' },
      { event: 'message', data: '{"type":"page"}' },
    ]);
  });
  it('holds a message cut anywhere until its blank line', () => {
    const text = 'data: {"a":1}\n\ndata: {"b":2}\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const out = [...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut))];
      expect(out.map((m) => m.data)).toEqual(['{"a":1}', '{"b":2}']);
    }
  });
  it('accepts CRLF and CR line ends, also split between chunks', () => {
    const p = new SseParser();
    expect(p.feed('data: x\r')).toEqual([]);
    expect(p.feed('\n\r\n')).toEqual([{ event: 'message', data: 'x' }]);
    expect(p.feed('data: y\r\rdata: z\r\n\r\n')).toEqual([
      { event: 'message', data: 'y' },
      { event: 'message', data: 'z' },
    ]);
  });
  it('joins data lines, reads event, id and retry, skips comments', () => {
    const p = new SseParser();
    const out = p.feed(': keep-alive\n\nevent: hello\nid: 7\nretry: 3000\ndata: one\ndata:two\ndata\n\n');
    expect(out).toEqual([{ event: 'hello', data: 'one\ntwo\n', id: '7' }]);
    expect(p.retry).toBe(3000);
    // The event name does not carry over; the last id does.
    expect(p.feed('data: next\n\n')).toEqual([{ event: 'message', data: 'next', id: '7' }]);
  });
  it('drops messages without data and keeps only one leading space', () => {
    const p = new SseParser();
    expect(p.feed('event: x\n\nid: 1\n\n')).toEqual([]);
    expect(p.feed('data:  two spaces\n\n')).toEqual([{ event: 'message', data: ' two spaces', id: '1' }]);
  });
});
