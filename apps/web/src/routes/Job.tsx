/** A compute job, live. */
import { useParams } from 'react-router';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { JobDetails } from '../components/JobDetails.tsx';

export function JobPage() {
  const { id = '' } = useParams();
  if (!/^[1-9]\d{0,77}$/.test(id))
    return <ErrorNotice error={{ title: 'No such job', detail: `"${id}" is not a job id.` }} />;
  return (
    <div>
      <h1 className="sr-only">Job {id}</h1>
      <JobDetails jobId={id} />
    </div>
  );
}
