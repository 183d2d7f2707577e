// Keeps GET /api/v1/events/stream open while mounted (fetch + SSE parser, since the stream
// needs the Authorization header), reconnecting after a failure with a growing delay, and
// reports its state. A 401 signs out (api.ts); a 403 or 400 is final.
import { useEffect, useRef, useState } from 'react';
import { streamEvents } from './api';
import { asApiError, type ApiError } from './errors';
import type { StoredEvent } from './types';

export type StreamState =
  | { status: 'connecting' }
  | { status: 'live' }
  | { status: 'retrying'; error: ApiError; inSeconds: number }
  | { status: 'failed'; error: ApiError };

const DELAYS = [1, 2, 5, 10, 30];

export function useEventStream(source: string, onEvent: (e: StoredEvent) => void): StreamState {
  const [state, setState] = useState<StreamState>({ status: 'connecting' });
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;

    const connect = () => {
      setState({ status: 'connecting' });
      streamEvents({
        source: source || undefined,
        signal: controller.signal,
        onOpen: () => {
          attempt = 0;
          setState({ status: 'live' });
        },
        onEvent: (e) => handler.current(e),
      })
        .then(() => {
          if (!controller.signal.aborted) retry(asApiError(new Error('The server closed the stream.')));
        })
        .catch((err: unknown) => {
          if (controller.signal.aborted) return;
          const error = asApiError(err);
          if (error.status === 401 || error.status === 403 || error.status === 400) {
            setState({ status: 'failed', error });
          } else {
            retry(error);
          }
        });
    };

    const retry = (error: ApiError) => {
      const inSeconds = DELAYS[Math.min(attempt, DELAYS.length - 1)];
      attempt++;
      setState({ status: 'retrying', error, inSeconds });
      timer = setTimeout(connect, inSeconds * 1000);
    };

    connect();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [source]);

  return state;
}
