/**
 * Splits a syslog TCP stream into messages (RFC 6587): octet counting (`LEN SP MSG`, what
 * rsyslog's omfwd sends with TCP_Framing="octet-counted" and RFC 5425 senders use) and
 * non-transparent framing (one message per LF, rsyslog's and sysklogd's default). As rsyslog's
 * imtcp does, the method is chosen per frame: a frame starting with a digit is octet-counted,
 * anything else ends at LF. A digit run not followed by a space (a message without PRI that starts
 * with a date) is taken back as the start of an LF frame, so such a message is not lost.
 *
 * Bounds: a frame longer than maxFrameBytes is cut there (the cut frame is still a message, as the
 * follower does with over-long lines) and the rest skipped as it arrives, so a 1 MB frame costs at
 * most maxFrameBytes of memory per connection. Pure: no I/O, no clock.
 */
export const FRAMING_ERRORS = ['oversized', 'truncated', 'invalid_length'] as const;
export type FramingError = (typeof FRAMING_ERRORS)[number];

export interface FrameDecoderOptions {
  maxFrameBytes: number;
  onFrame(frame: Buffer): void;
  onError(kind: FramingError): void;
}

export interface FrameDecoder {
  push(chunk: Buffer): void;
  /** The stream ended: a last LF frame without its LF is a message; a half octet-counted frame is not. */
  end(): void;
}

const LF = 0x0a;
const SP = 0x20;
const MAX_LENGTH_DIGITS = 9;

type State = 'start' | 'length' | 'octets' | 'line' | 'skip-line';

export function createFrameDecoder(opts: FrameDecoderOptions): FrameDecoder {
  const max = opts.maxFrameBytes;
  let state: State = 'start';
  let digits = '';
  let remaining = 0;
  let parts: Buffer[] = [];
  let size = 0;
  /** the frame being read has lost bytes past the cap */
  let cut = false;

  const keep = (b: Buffer): void => {
    const room = max - size;
    if (b.length > room) cut = true;
    if (room <= 0) return;
    const piece = b.length > room ? b.subarray(0, room) : b;
    // copied: the socket's chunk may be reused or large, and we keep only our part of it
    parts.push(Buffer.from(piece));
    size += piece.length;
  };
  const emit = (): void => {
    let frame = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    cut = false;
    // a trailing CR (CRLF senders) or LF (octet-counted frames that include it) is not message text
    let end = frame.length;
    while (end > 0 && (frame[end - 1] === LF || frame[end - 1] === 0x0d)) end--;
    if (end < frame.length) frame = frame.subarray(0, end);
    if (frame.length > 0) opts.onFrame(frame);
  };

  return {
    push(chunk) {
      let i = 0;
      while (i < chunk.length) {
        switch (state) {
          case 'start': {
            const b = chunk[i]!;
            if (b === LF || b === 0x0d) {
              i++; // empty lines between frames
            } else if (b >= 0x30 && b <= 0x39) {
              state = 'length';
              digits = '';
            } else {
              state = 'line';
            }
            break;
          }
          case 'length': {
            const b = chunk[i]!;
            if (b >= 0x30 && b <= 0x39 && digits.length < MAX_LENGTH_DIGITS) {
              digits += String.fromCharCode(b);
              i++;
            } else if (b === SP && digits.length > 0) {
              i++;
              const n = Number(digits);
              if (n === 0) {
                opts.onError('invalid_length');
                state = 'start';
              } else {
                if (n > max) opts.onError('oversized');
                remaining = n;
                state = 'octets';
              }
            } else {
              // not a length after all: these digits begin a message that ends at LF
              keep(Buffer.from(digits, 'latin1'));
              state = 'line';
            }
            break;
          }
          case 'octets': {
            const take = Math.min(remaining, chunk.length - i);
            keep(chunk.subarray(i, i + take));
            i += take;
            remaining -= take;
            if (remaining === 0) {
              emit();
              state = 'start';
            }
            break;
          }
          case 'line':
          case 'skip-line': {
            const lf = chunk.indexOf(LF, i);
            const stop = lf < 0 ? chunk.length : lf;
            if (state === 'line') {
              keep(chunk.subarray(i, stop));
              if (cut) {
                // cut at the cap: the message goes on as it is, the rest of the line is skipped
                opts.onError('oversized');
                emit();
                state = 'skip-line';
              }
            }
            i = stop;
            if (lf >= 0) {
              i++;
              if (state === 'line') emit();
              state = 'start';
            }
            break;
          }
        }
      }
    },
    end() {
      if (state === 'line' && size > 0) emit();
      else if (state === 'octets' || state === 'length') opts.onError('truncated');
      parts = [];
      size = 0;
      cut = false;
      state = 'start';
    },
  };
}
