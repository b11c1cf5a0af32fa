import { useCallback, useEffect, useRef, useState, type ClipboardEvent, type DragEvent } from 'react';
import { isApiError, uploadFile } from '../../api/client.js';
import { describeMedia, formatSize, mediaLimitOf, mediaProblems } from './composer-media.js';
import './composer-attachments.css';

/** What POST /attachments answers. */
interface UploadedAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

interface Attachment {
  key: number;
  file: File;
  /** Object URL of the local image, for the thumbnail; revoked when the attachment goes. */
  preview: string | null;
  state: 'uploading' | 'done' | 'failed';
  progress: number;
  id: string | null;
  error: string | null;
}

let nextKey = 1;

const uploadError = (error: unknown): string => {
  if (!isApiError(error)) return error instanceof Error ? error.message : 'Upload failed.';
  const field = error.problem.errors?.find((e) => e.field === 'file');
  return field ? field.message : (error.problem.detail ?? error.problem.title);
};

/**
 * The files of one reply: checked against the channel's media limits before anything is uploaded, then uploaded one
 * request each with progress. `ids` are the uploaded ones, in the order the agent added them.
 */
export const useAttachments = (limitKey: string | null, conversationId: string) => {
  const [items, setItems] = useState<Attachment[]>([]);
  const [rejected, setRejected] = useState<{ files: string[]; reasons: string[] } | null>(null);
  const aborts = useRef(new Map<number, AbortController>());
  const itemsRef = useRef(items);
  itemsRef.current = items;

  const patch = (key: number, change: Partial<Attachment>) => setItems((all) => all.map((a) => (a.key === key ? { ...a, ...change } : a)));

  const upload = useCallback((item: Attachment) => {
    const abort = new AbortController();
    aborts.current.set(item.key, abort);
    uploadFile<UploadedAttachment>('/attachments', item.file, (progress) => patch(item.key, { progress }), abort.signal)
      .then(
        (uploaded) => patch(item.key, { state: 'done', progress: 1, id: uploaded.id, error: null }),
        (error: unknown) => {
          if (!abort.signal.aborted) patch(item.key, { state: 'failed', error: uploadError(error) });
        },
      )
      .finally(() => {
        if (aborts.current.get(item.key) === abort) aborts.current.delete(item.key);
      });
  }, []);

  const add = useCallback(
    (files: readonly File[]) => {
      if (files.length === 0) return;
      const current = itemsRef.current.filter((a) => a.state !== 'failed').map((a) => a.file);
      const all = [...current, ...files].map((f) => ({ name: f.name, contentType: f.type, size: f.size }));
      const reasons = mediaProblems(limitKey, all);
      if (reasons.length) {
        setRejected({ files: files.map((f) => f.name), reasons });
        return;
      }
      setRejected(null);
      const added = files.map((file): Attachment => ({ key: nextKey++, file, preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null, state: 'uploading', progress: 0, id: null, error: null }));
      setItems((existing) => [...existing, ...added]);
      added.forEach(upload);
    },
    [limitKey, upload],
  );

  const forget = (item: Attachment) => {
    aborts.current.get(item.key)?.abort();
    aborts.current.delete(item.key);
    if (item.preview) URL.revokeObjectURL(item.preview);
  };

  const remove = (key: number) => {
    const item = itemsRef.current.find((a) => a.key === key);
    if (item) forget(item);
    setItems((all) => all.filter((a) => a.key !== key));
    setRejected(null);
  };

  const retry = (key: number) => {
    const item = itemsRef.current.find((a) => a.key === key);
    if (!item) return;
    const fresh = { ...item, state: 'uploading' as const, progress: 0, error: null };
    patch(key, fresh);
    upload(fresh);
  };

  const clear = useCallback(() => {
    itemsRef.current.forEach(forget);
    setItems([]);
    setRejected(null);
  }, []);

  // Files belong to one reply, checked against its channel's limits: another conversation starts empty. Unmounting
  // aborts uploads and frees the previews.
  useEffect(() => clear, [limitKey, conversationId, clear]);

  return {
    items,
    rejected,
    add,
    remove,
    retry,
    clear,
    dismissRejection: () => setRejected(null),
    ids: items.flatMap((a) => (a.state === 'done' && a.id ? [a.id] : [])),
    isBusy: items.some((a) => a.state === 'uploading'),
    hasFailed: items.some((a) => a.state === 'failed'),
    canAttach: mediaLimitOf(limitKey) !== null,
  };
};

export type Attachments = ReturnType<typeof useAttachments>;

/** Files carried by a drag or a paste (pasted screenshots arrive as files too). */
export const filesOf = (data: DataTransfer | null): File[] => (data ? Array.from(data.files) : []);

/** Paste of an image into the reply box attaches it; pasted text still goes into the textarea. */
export const attachPasted = (attachments: Attachments) => (event: ClipboardEvent<HTMLTextAreaElement>) => {
  const files = filesOf(event.clipboardData);
  if (files.length === 0) return;
  if (!event.clipboardData.getData('text/plain')) event.preventDefault();
  attachments.add(files);
};

/** Drag-and-drop onto the composer; `dragging` drives the drop hint. */
export const useDropTarget = (attachments: Attachments) => {
  const [dragging, setDragging] = useState(false);
  const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer.types).includes('Files');
  return {
    dragging,
    handlers: {
      onDragOver: (event: DragEvent) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = attachments.canAttach ? 'copy' : 'none';
        setDragging(true);
      },
      onDragLeave: (event: DragEvent) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      },
      onDrop: (event: DragEvent) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDragging(false);
        attachments.add(filesOf(event.dataTransfer));
      },
    },
  };
};

const stateText = (a: Attachment): string => (a.state === 'done' ? 'Uploaded' : a.state === 'failed' ? `Upload failed: ${a.error ?? ''}` : `Uploading ${Math.round(a.progress * 100)}%`);

/** The attach button, the channel's media rules, and a chip per file with its preview, size, state and a remove button. */
export const AttachmentTray = ({ attachments, limitKey, dragging }: { attachments: Attachments; limitKey: string | null; dragging: boolean }) => {
  const input = useRef<HTMLInputElement>(null);
  const media = mediaLimitOf(limitKey);
  const rules = describeMedia(limitKey);
  return (
    <div className={`attachments${dragging ? ' attachments-dragging' : ''}`}>
      <div className="attachments-bar">
        <button type="button" className="btn btn-small attach-button" disabled={!attachments.canAttach} aria-describedby="attachment-rules" onClick={() => input.current?.click()}>
          Attach files
        </button>
        <input
          ref={input}
          type="file"
          hidden
          multiple={(media?.maxCount ?? 1) > 1}
          accept={media?.types.join(',')}
          aria-label="Attach files"
          onChange={(e) => {
            attachments.add(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
        <span id="attachment-rules" className="muted attachment-rules">
          {attachments.canAttach ? `${rules} Drop or paste images here too.` : rules}
        </span>
      </div>
      {dragging && attachments.canAttach ? <p className="attachments-drop">Drop to attach</p> : null}
      {attachments.rejected ? (
        <div className="notice notice-warn attachment-rejected" role="alert">
          <p>
            <strong>Not attached:</strong> {attachments.rejected.files.join(', ')}
          </p>
          <ul>
            {attachments.rejected.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          {attachments.rejected.reasons.includes(rules) ? null : <p>{rules}</p>}
          <button type="button" className="btn btn-small" onClick={attachments.dismissRejection}>
            Dismiss
          </button>
        </div>
      ) : null}
      <p className="sr-only" role="status">
        {attachments.items.length ? `${attachments.ids.length} of ${attachments.items.length} attachment${attachments.items.length === 1 ? '' : 's'} uploaded` : ''}
      </p>
      {attachments.items.length ? (
        <ul className="attachment-list" aria-label="Attachments">
          {attachments.items.map((a) => (
            <li key={a.key} className={`attachment attachment-${a.state}`}>
              {a.preview ? <img className="attachment-thumb" src={a.preview} alt="" /> : <span className="attachment-thumb attachment-icon" aria-hidden="true">{a.file.name.split('.').pop()?.slice(0, 4).toUpperCase() || 'FILE'}</span>}
              <span className="attachment-meta">
                <span className="attachment-name">{a.file.name}</span>
                <span className="attachment-size">{formatSize(a.file.size)}</span>
                {a.state === 'uploading' ? <progress max={1} value={a.progress} aria-label={`Uploading ${a.file.name}`} /> : null}
                <span className={a.state === 'failed' ? 'attachment-state attachment-error' : 'attachment-state'} role={a.state === 'failed' ? 'alert' : undefined}>
                  {stateText(a)}
                </span>
              </span>
              {a.state === 'failed' ? (
                <button type="button" className="btn btn-small" onClick={() => attachments.retry(a.key)} aria-label={`Retry uploading ${a.file.name}`}>
                  Retry
                </button>
              ) : null}
              <button type="button" className="btn btn-small btn-ghost attachment-remove" onClick={() => attachments.remove(a.key)} aria-label={`Remove ${a.file.name}`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
};
