import { ButtonLink } from '@/components/ui/button';
import { ChevronLeftIcon, ChevronRightIcon } from '@/components/ui/icons';

/** Newest-first paging by id: "Latest" goes back to the live first page, "Older" continues below the last row. */
export function Pager({
  basePath,
  before,
  olderCursor,
}: {
  basePath: string;
  before: number | undefined;
  olderCursor: number | null;
}) {
  if (before === undefined && olderCursor === null) return null;
  return (
    <nav
      aria-label="Pages"
      className="flex items-center justify-between border-t border-zinc-200 px-4 py-2.5 dark:border-zinc-800"
    >
      {before !== undefined ? (
        <ButtonLink href={basePath} size="sm" variant="ghost">
          <ChevronLeftIcon className="size-3.5" /> Latest
        </ButtonLink>
      ) : (
        <span />
      )}
      {olderCursor !== null && (
        <ButtonLink href={`${basePath}?before=${olderCursor}`} size="sm" variant="ghost">
          Older <ChevronRightIcon className="size-3.5" />
        </ButtonLink>
      )}
    </nav>
  );
}
