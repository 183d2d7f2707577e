// A block of code to copy (a curl command, a key), with a Copy button that says when it worked.
import { useState } from 'react';

export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = () => {
    navigator.clipboard
      ?.writeText(code)
      .then(() => setCopied('yes'))
      .catch(() => setCopied('failed'));
    if (!navigator.clipboard) setCopied('failed');
  };
  return (
    <div className="codeblock">
      <pre aria-label={label} tabIndex={0}>
        <code>{code}</code>
      </pre>
      <button type="button" className="small" onClick={copy}>
        {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Select and copy it by hand' : 'Copy'}
      </button>
    </div>
  );
}
