import { InboxList } from '../../components/inbox-list.js';
import { db } from '../../lib/db.js';
import { getInbox } from '../../lib/inbox.js';

export const dynamic = 'force-dynamic';

export default function InboxPage() {
  const { items, unread } = getInbox({ db: db() });
  return (
    <div className="narrow">
      <InboxList items={items} unread={unread} />
    </div>
  );
}
