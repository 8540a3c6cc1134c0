/** The receive room: log lines that arrive over the network instead of from a file. */
export {
  createSyslogReceiver,
  parseSyslogAddress,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_MESSAGE_BYTES,
  SYSLOG_CONNECTION_RESULTS,
  SYSLOG_MESSAGE_RESULTS,
} from './syslog-receiver.js';
export type { ReceiveObserver, SyslogAddress, SyslogReceiver, SyslogReceiverOptions, SyslogReceiverStatus } from './syslog-receiver.js';
export { FRAMING_ERRORS, type FramingError } from './framing.js';
export { parseSyslogMessage, type SyslogMessage } from './syslog-message.js';
