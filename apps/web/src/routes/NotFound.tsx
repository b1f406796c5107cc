/** Any path the app does not know. */
import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <div className="py-12 text-center">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p className="mt-2 text-stone-600">
        <Link to="/" className="text-amber-800 underline">
          Back to the marketplace
        </Link>
      </p>
    </div>
  );
}
