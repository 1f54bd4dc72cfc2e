import { describe, expect, it } from 'vitest';
import { hexDump, keyFilterText, PREVIEW_BYTES, toDataView } from '../../../src/console/data-view.js';

describe('how the message browser shows data', () => {
  it('shows UTF-8 text as is, JSON objects pretty-printed, and null as null', () => {
    // Act
    const text = toDataView(Buffer.from('héllo wörld'));
    const json = toDataView(Buffer.from('{"a":[1,2],"b":"x"}'));
    const notJson = toDataView(Buffer.from('{not json'));
    const none = toDataView(null);

    // Assess
    expect(text).toEqual({ kind: 'text', size: 13, display: 'héllo wörld', truncated: false });
    expect(json.kind).toBe('json');
    expect(json.display).toBe('{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}');
    expect(notJson.kind).toBe('text');
    expect(none).toEqual({ kind: 'null', size: 0, display: '', truncated: false });
  });

  it('shows invalid UTF-8 and control bytes as a hex dump with printable ASCII', () => {
    // Act
    const invalid = toDataView(Buffer.from([0xff, 0xfe, 0x41]));
    const control = toDataView(Buffer.from('ab\u0000cd'));

    // Assess
    expect(invalid.kind).toBe('binary');
    expect(invalid.display).toBe(`00000000  ff fe 41${' '.repeat(39)}  ..A`);
    expect(control.kind).toBe('binary');
    expect(hexDump(Buffer.alloc(17)).split('\n')).toHaveLength(2);
  });

  it('cuts large data to a preview and says so, keeping the full size', () => {
    // Prepare
    const big = Buffer.from('x'.repeat(PREVIEW_BYTES + 10));
    const bigBinary = Buffer.alloc(PREVIEW_BYTES + 1, 0xff);

    // Act
    const text = toDataView(big);
    const binary = toDataView(bigBinary);

    // Assess
    expect(text).toMatchObject({ kind: 'text', size: PREVIEW_BYTES + 10, truncated: true });
    expect(text.display).toHaveLength(PREVIEW_BYTES);
    expect(binary).toMatchObject({ kind: 'binary', truncated: true });
    expect(binary.display.split('\n')).toHaveLength(PREVIEW_BYTES / 16);
  });

  it('filters binary keys by their hex and text keys by their text', () => {
    // Act / Assess
    expect(keyFilterText(Buffer.from('user-1'))).toBe('user-1');
    expect(keyFilterText(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe('deadbeef');
    expect(keyFilterText(null)).toBeUndefined();
  });
});
