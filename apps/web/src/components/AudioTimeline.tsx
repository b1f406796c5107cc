/**
 * Audio results on a timeline over the recording: speech segments (VAD) as bars from start to end, wake-word
 * detections as marks at their time; the recording's player above it when this browser still has the input (a
 * segment's button seeks the player there). Every segment and detection is also listed as text.
 */
import { type RefObject, useRef } from 'react';
import { formatSeconds, timelineSpan, timelineTicks, type VadOutput, type WakewordOutput } from '../lib/timeline.ts';

/** The axis under a timeline: ticks in seconds. */
function Axis({ duration }: { duration: number }) {
  return (
    <div className="relative mt-1 h-4 text-[10px] text-stone-500" aria-hidden="true">
      {timelineTicks(duration).map((t) => (
        <span key={t} className="absolute -translate-x-1/2" style={{ left: `${timelineSpan(duration, t, t).left}%` }}>
          {t} s
        </span>
      ))}
    </div>
  );
}

function Player({ src, player }: { src: string | null; player: RefObject<HTMLAudioElement | null> }) {
  if (!src) return null;
  // biome-ignore lint/a11y/useMediaCaption: a user's own recording, which has no captions
  return <audio ref={player} src={src} controls className="w-full" data-testid="result-audio" />;
}

const seek = (player: RefObject<HTMLAudioElement | null>, time: number) => {
  const audio = player.current;
  if (!audio) return;
  audio.currentTime = time;
  void audio.play().catch(() => undefined);
};

/** Speech segments of a VAD result over the recording's duration. */
export function VadTimeline({ output, audio }: { output: VadOutput; audio: string | null }) {
  const player = useRef<HTMLAudioElement>(null);
  const { duration, segments } = output;
  const speech = segments.reduce((sum, s) => sum + (s.end - s.start), 0);
  return (
    <figure className="space-y-3">
      <Player src={audio} player={player} />
      <div>
        <div
          className="relative h-8 overflow-hidden rounded border border-stone-300 bg-stone-100"
          data-testid="vad-timeline"
          aria-hidden="true"
        >
          {segments.map((s) => {
            const span = timelineSpan(duration, s.start, s.end);
            return (
              <div
                key={`${s.start}-${s.end}`}
                className="absolute inset-y-0 bg-emerald-500/80"
                style={{ left: `${span.left}%`, width: `${span.width}%`, opacity: 0.4 + 0.6 * s.probability }}
                data-segment={`${s.start}-${s.end}`}
                title={`${formatSeconds(s.start)} – ${formatSeconds(s.end)}`}
              />
            );
          })}
        </div>
        <Axis duration={duration} />
      </div>
      <figcaption>
        <h3 className="mb-1 font-semibold">Speech</h3>
        <p className="text-sm text-stone-600">
          {segments.length === 0
            ? `No speech in ${formatSeconds(duration)} of audio.`
            : `${segments.length} segment${segments.length === 1 ? '' : 's'}, ${formatSeconds(speech)} of speech in ${formatSeconds(duration)}.`}
        </p>
        {segments.length > 0 && (
          <table className="mt-2 text-left text-sm" data-testid="vad-segments">
            <thead className="text-xs text-stone-500">
              <tr>
                <th className="pr-4 font-medium">#</th>
                <th className="pr-4 font-medium">Start</th>
                <th className="pr-4 font-medium">End</th>
                <th className="pr-4 font-medium">Length</th>
                <th className="font-medium">Speech probability</th>
              </tr>
            </thead>
            <tbody className="font-mono text-xs">
              {segments.map((s, i) => (
                <tr key={`${s.start}-${s.end}`}>
                  <td className="pr-4">
                    {audio ? (
                      <button
                        type="button"
                        className="text-amber-800 underline"
                        onClick={() => seek(player, s.start)}
                        aria-label={`Play segment ${i + 1} from ${formatSeconds(s.start)}`}
                      >
                        ▶ {i + 1}
                      </button>
                    ) : (
                      i + 1
                    )}
                  </td>
                  <td className="pr-4">{formatSeconds(s.start)}</td>
                  <td className="pr-4">{formatSeconds(s.end)}</td>
                  <td className="pr-4">{formatSeconds(s.end - s.start)}</td>
                  <td>{(s.probability * 100).toFixed(1)} %</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </figcaption>
    </figure>
  );
}

/** Wake-word detections of a wake-word result over the recording's duration, and each keyword's best score. */
export function WakewordTimeline({ output, audio }: { output: WakewordOutput; audio: string | null }) {
  const player = useRef<HTMLAudioElement>(null);
  const { duration, detections, keywords } = output;
  return (
    <figure className="space-y-3">
      <Player src={audio} player={player} />
      <div>
        <div
          className="relative h-8 rounded border border-stone-300 bg-stone-100"
          data-testid="wakeword-timeline"
          aria-hidden="true"
        >
          {detections.map((d) => (
            <div
              key={`${d.keyword}-${d.time}`}
              className="absolute inset-y-0 w-0.5 bg-amber-600"
              style={{ left: `${timelineSpan(duration, d.time, d.time).left}%` }}
              title={`${d.keyword} at ${formatSeconds(d.time)}`}
            />
          ))}
        </div>
        <Axis duration={duration} />
      </div>
      <figcaption className="space-y-2">
        <h3 className="font-semibold">Wake words</h3>
        {detections.length === 0 ? (
          <p className="text-sm text-stone-600">No wake word in {formatSeconds(duration)} of audio.</p>
        ) : (
          <ol className="space-y-1 text-sm" data-testid="wakeword-detections">
            {detections.map((d) => (
              <li key={`${d.keyword}-${d.time}`} className="flex gap-3">
                <span className="font-mono">{d.keyword}</span>
                <span>{formatSeconds(d.time)}</span>
                <span className="text-xs text-stone-500">score {(d.score * 100).toFixed(1)} %</span>
              </li>
            ))}
          </ol>
        )}
        <p className="text-xs text-stone-600">
          Best scores: {keywords.map((k) => `${k.keyword} ${(k.maxScore * 100).toFixed(1)} %`).join(', ') || '—'}
        </p>
      </figcaption>
    </figure>
  );
}
