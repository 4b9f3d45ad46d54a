import { useId, type ReactNode } from 'react';
import { cx } from './class-names';
import { focusRing } from './focus-ring';

type Align = 'start' | 'center' | 'end';

const aligns = { start: 'left-0', center: 'left-1/2 -translate-x-1/2', end: 'right-0' } as const;

function Bubble({ id, content, align }: { id: string; content: ReactNode; align: Align }) {
  return (
    <span
      role="tooltip"
      id={id}
      className={cx(
        'pointer-events-none invisible absolute bottom-full z-40 mb-1.5 w-max max-w-64 rounded-md bg-zinc-900 px-2 py-1 text-left text-xs leading-snug font-normal whitespace-normal text-white opacity-0 shadow-lg transition-opacity',
        'group-focus-within/tip:visible group-focus-within/tip:opacity-100 group-hover/tip:visible group-hover/tip:opacity-100 dark:bg-zinc-100 dark:text-zinc-900',
        aligns[align],
      )}
    >
      {content}
    </span>
  );
}

/**
 * Wraps a control that is disabled for a reason (role, protection) so the reason is reachable by mouse and
 * keyboard: disabled buttons take no focus themselves, so the wrapper does.
 */
export function DisabledReason({
  reason,
  children,
  align = 'center',
}: {
  reason: string | null;
  children: ReactNode;
  align?: Align;
}) {
  const id = useId();
  if (!reason) return <>{children}</>;
  return (
    <span
      tabIndex={0}
      aria-describedby={id}
      className={cx('group/tip relative inline-flex rounded-md', focusRing)}
    >
      {children}
      <Bubble id={id} content={reason} align={align} />
    </span>
  );
}
