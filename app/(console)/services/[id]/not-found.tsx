import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { BoxIcon } from '@/components/ui/icons';

export default function ServiceNotFound() {
  return (
    <Card>
      <EmptyState
        icon={<BoxIcon className="size-5" />}
        title="No such service"
        description="It may have been deleted, or the link is wrong."
        action={<ButtonLink href="/">Back to overview</ButtonLink>}
      />
    </Card>
  );
}
