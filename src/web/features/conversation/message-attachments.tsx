import type { MessageDto } from '../../api/types.js';
import { formatSize } from './composer-media.js';
import './composer-attachments.css';

type Attachment = NonNullable<MessageDto['attachments']>[number];

/** Files Parley stores itself (a reply's uploads) are same-origin, so the page's CSP lets their images show. */
const isOwnFile = (url: string | null): url is string => url !== null && url.startsWith('/api/v1/attachments/');

/** Only Parley's own files and http(s) addresses become links: a platform's URL is data, never a script. */
const linkOf = (url: string | null): string | null => (url !== null && (isOwnFile(url) || /^https?:\/\//i.test(url)) ? url : null);

/**
 * The files a message carries: a reply's own uploads as thumbnails (images) or links, inbound files as links to where
 * the platform keeps them (never loaded into the page).
 */
export const MessageAttachments = ({ attachments }: { attachments: readonly Attachment[] }) => {
  if (attachments.length === 0) return null;
  return (
    <ul className="attachment-list message-attachments" aria-label="Attached files">
      {attachments.map((a, i) => {
        const name = a.name ?? `file ${i + 1}`;
        const body = (
          <>
            {isOwnFile(a.url) && a.contentType?.startsWith('image/') ? <img className="attachment-thumb" src={a.url} alt="" /> : null}
            <span className="attachment-meta">
              <span className="attachment-name">{name}</span>
              {a.size !== null ? (
                <>
                  <span className="sr-only">, </span>
                  <span className="attachment-size">{formatSize(a.size)}</span>
                </>
              ) : null}
            </span>
          </>
        );
        const href = linkOf(a.url);
        return (
          <li key={`${a.url ?? ''}${i}`} className="attachment">
            {href ? (
              <a className="attachment-link" href={href} target="_blank" rel="noreferrer noopener">
                {body}
              </a>
            ) : (
              body
            )}
          </li>
        );
      })}
    </ul>
  );
};
