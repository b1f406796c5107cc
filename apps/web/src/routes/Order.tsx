/** `/orders/:hash`: one order (compute protocol v2) for its requester, live, with its verified result. */
import { useParams } from 'react-router';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { OrderDetails } from '../components/OrderDetails.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { isOrderHash } from '../lib/orders.ts';

export function OrderPage() {
  const { hash = '' } = useParams();
  const session = useSession();
  if (!isOrderHash(hash)) {
    return <ErrorNotice error={{ title: 'No such order', detail: `"${hash}" is not an order hash.` }} />;
  }
  if (!session.identity) {
    return (
      <ErrorNotice
        error={{ title: 'Choose an account', detail: 'Only the requester of an order can read it: sign in as them.' }}
      />
    );
  }
  return <OrderDetails orderHash={hash.toLowerCase()} />;
}
