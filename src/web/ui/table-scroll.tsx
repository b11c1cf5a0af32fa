import type { ReactNode } from 'react';

/** A wide table's horizontal scroller; focusable and named so keyboard users can scroll it too. */
export const TableScroll = ({ label, children }: { label: string; children: ReactNode }) => (
  <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
    {children}
  </div>
);
