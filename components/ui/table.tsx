import type { ComponentProps } from 'react';
import { cx } from './class-names';

export function Table({ className, ...rest }: ComponentProps<'table'>) {
  return (
    <div className="overflow-x-auto">
      <table className={cx('w-full border-collapse text-left text-[13px]', className)} {...rest} />
    </div>
  );
}

export function THead({ className, ...rest }: ComponentProps<'thead'>) {
  return <thead className={cx('border-b border-zinc-200 dark:border-zinc-800', className)} {...rest} />;
}

export function TBody({ className, ...rest }: ComponentProps<'tbody'>) {
  return <tbody className={cx('divide-y divide-zinc-100 dark:divide-zinc-800/80', className)} {...rest} />;
}

export function Tr({ className, ...rest }: ComponentProps<'tr'>) {
  return (
    <tr
      className={cx('transition-colors hover:bg-zinc-50/70 dark:hover:bg-zinc-800/30', className)}
      {...rest}
    />
  );
}

export function Th({ className, ...rest }: ComponentProps<'th'>) {
  return (
    <th
      scope="col"
      className={cx(
        'px-3 py-2 text-xs font-medium whitespace-nowrap text-zinc-500 first:pl-4 last:pr-4 dark:text-zinc-400',
        className,
      )}
      {...rest}
    />
  );
}

export function Td({ className, ...rest }: ComponentProps<'td'>) {
  return (
    <td
      className={cx(
        'px-3 py-2 align-middle text-zinc-700 first:pl-4 last:pr-4 dark:text-zinc-300',
        className,
      )}
      {...rest}
    />
  );
}
