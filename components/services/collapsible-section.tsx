'use client';

import { useId, useState, type ReactNode } from 'react';
import { Card, CardBody } from '@/components/ui/card';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { ChevronRightIcon } from '@/components/ui/icons';

type Props = {
  title: string;
  /** What the section holds, readable while it is closed. */
  summary: string;
  open: boolean;
  onToggle: () => void;
  /** 2 where the section stands on its own in a page, 3 inside a card that has its own heading. */
  headingLevel?: 2 | 3;
  children: ReactNode;
};

/** How a form controls one of its collapsible sections, passed through by the sections built on this one. */
export type SectionControl = Pick<Props, 'open' | 'onToggle' | 'headingLevel'>;

/** A form section that stays one line until opened; a form opens it itself when a field inside is wrong. */
export function CollapsibleSection({ title, summary, open, onToggle, headingLevel = 2, children }: Props) {
  const bodyId = `${useId()}-body`;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <Card>
      <Heading>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={onToggle}
          className={cx('flex w-full items-center gap-2 rounded-lg px-4 py-3 text-left', focusRing)}
        >
          <ChevronRightIcon
            className={cx('size-4 shrink-0 text-zinc-400 transition-transform', open && 'rotate-90')}
          />
          <span className="shrink-0 text-sm font-semibold text-zinc-900 dark:text-zinc-100">{title}</span>
          <span className="ml-auto min-w-0 truncate text-xs font-normal text-zinc-500 dark:text-zinc-400">
            {summary}
          </span>
        </button>
      </Heading>
      {open && (
        <CardBody id={bodyId} className="space-y-4 border-t border-zinc-200 dark:border-zinc-800">
          {children}
        </CardBody>
      )}
    </Card>
  );
}

/**
 * Which collapsed sections of a form are open. `prefixes` names the error paths each one holds
 * ("spec.healthCheck"), so `openFor` can open the sections where the schema found something wrong.
 */
export function useOpenSections<S extends string>(prefixes: Record<S, string>) {
  const sections = Object.keys(prefixes) as S[];
  const [open, setOpen] = useState(
    () => Object.fromEntries(sections.map((s) => [s, false])) as Record<S, boolean>,
  );
  return {
    open,
    toggle: (section: S) => () => setOpen((o) => ({ ...o, [section]: !o[section] })),
    openFor: (errorPaths: string[]) =>
      setOpen((o) => {
        const next = { ...o };
        for (const s of sections) if (errorPaths.some((p) => p.startsWith(prefixes[s]))) next[s] = true;
        return next;
      }),
  };
}
