import { describe, expect, it } from 'vitest';
import { htmlToPlainText } from './html-text.js';

describe('htmlToPlainText', () => {
  it('keeps readable text and drops scripts, styles and markup', () => {
    const html = '<head><title>x</title><style>p{color:red}</style></head><h2>Update</h2><p>Refunds &amp; returns<br>are <b>paused</b>.<script>alert("x")</script></p><ul><li>one</li><li>two</li></ul><table><tr><th>Plan</th><td>Pro</td></tr><tr><th>Price</th><td>&euro;9</td></tr></table>';
    expect(htmlToPlainText(html)).toBe('Update\n\nRefunds & returns\nare paused.\n\n- one\n- two\n\nPlan Pro\nPrice €9');
  });

  it('returns plain text unchanged and tolerates broken markup', () => {
    expect(htmlToPlainText('just text')).toBe('just text');
    expect(htmlToPlainText('<p>unclosed <i>tags')).toBe('unclosed tags');
  });
});
